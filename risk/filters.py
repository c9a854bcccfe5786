"""One filter definition for the warning list: the page, its ledger and GET /api/v1/risk/warnings/ (the parameters
the list had before the shared machinery keep their names: screen, status, department, min_score, bidder, project,
from, to)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from casework.listing import CaseListFilter, date_from, date_to, ordering_by
from risk.models import Screen, Warning


class WarningFilter(CaseListFilter):
    search_fields = ("explanation", "bidder_index", "bidders", "tenders__tender_id", "tenders__project_code",
                     "tenders__project_name", "supervising_department__name", "clue__reference")
    department_fields = ("supervising_department", "source_department")
    clock_paths = ()  # a warning runs no clock (the clue made from it does)

    screen = django_filters.ChoiceFilter(choices=Screen.choices, label="类型", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=Warning.Status.choices, label="状态", empty_label="全部")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label="最低分值",
                                            min_value=0, max_value=100)
    bidder = django_filters.CharFilter(method="filter_bidder", label="投标人（名称或统一社会信用代码）")
    project = django_filters.CharFilter(method="filter_project", label="项目（招标编号、项目编号或名称）")
    ordering = ordering_by({"score": "风险分值", "detected_at": "发现时间", "status": "状态"})

    class Meta:
        model = Warning
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("overdue", "due_within"):  # nothing to be late on
            self.filters.pop(name, None)

    def filter_bidder(self, queryset, name, value):
        bidder = (value or "").strip()
        if not bidder:
            return queryset
        return queryset.filter(Q(bidder_index__contains=f"|{bidder.upper()}|") | Q(bidders__icontains=bidder))

    def filter_project(self, queryset, name, value):
        project = (value or "").strip()
        if not project:
            return queryset
        return queryset.filter(Q(tenders__tender_id=project) | Q(tenders__project_code=project)
                               | Q(tenders__project_name__icontains=project)).distinct()


# "from" and "to" are Python keywords: added to the declared filters by name.
WarningFilter.base_filters["from"] = date_from("detected_at", "发现日期自")
WarningFilter.base_filters["to"] = date_to("detected_at", "发现日期至")
