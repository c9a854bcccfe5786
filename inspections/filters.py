"""One filter definition per inspection list (plans, the directory): the page, its ledger and the API list."""

from __future__ import annotations

import django_filters

from casework.listing import CaseListFilter, date_from, date_to, ordering_by
from casework.trading import TradingField
from inspections.models import Plan, Project, RiskLevel


class PlanFilter(CaseListFilter):
    search_fields = ("reference", "title", "lead_department__name", "participants__name", "items__title")
    department_fields = ("lead_department", "participants")

    status = django_filters.ChoiceFilter(choices=Plan.Status.choices, label="状态", empty_label="全部")
    starts_from = date_from("starts_on", "检查开始日期自", date_field=True)
    starts_to = date_to("starts_on", "检查开始日期至", date_field=True)
    ends_from = date_from("ends_on", "计划结束日期自", date_field=True)
    ends_to = date_to("ends_on", "计划结束日期至", date_field=True)
    ordering = ordering_by({"created_at": "制定时间", "reference": "计划编号", "starts_on": "检查开始日期",
                            "status": "状态"})

    class Meta:
        model = Plan
        fields: list[str] = []


class ProjectFilter(CaseListFilter):
    """The inspection-object directory: by default the projects that finished tendering this year and last (Hegang
    三(二)); `all` adds the earlier years, a completion date range replaces the default."""

    search_fields = ("name", "project_code", "winner_name", "winner_uscc", "tenderer_name", "tenderer_uscc",
                     "agency_name", "agency_uscc")
    department_fields = ("supervising_department", "registered_department")
    clock_paths = ()  # a directory entry runs no clock

    code = django_filters.CharFilter(field_name="project_code", label="项目编号（精确）")
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label="风险等级", empty_label="全部")
    trading_field = django_filters.ChoiceFilter(choices=TradingField.choices, label="交易领域", empty_label="全部")
    completed_from = date_from("tender_completed_on", "完成招投标日期自", date_field=True)
    completed_to = date_to("tender_completed_on", "完成招投标日期至", date_field=True)
    all = django_filters.BooleanFilter(method="filter_all", label="含更早年份")
    ordering = ordering_by({"tender_completed_on": "完成招投标日期", "project_code": "项目编号",
                            "risk_level": "风险等级", "contract_amount": "中标金额"})

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("overdue", "due_within"):  # nothing to be late on
            self.filters.pop(name, None)

    def filter_all(self, queryset, name, value):
        return queryset  # read in filter_queryset: its absence is what narrows the list

    @property
    def scoped(self) -> bool:
        """Whether the default scope (this year and last) applies: not with all=1, a date range or an exact code."""
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return not (data.get("all") or data.get("completed_from") or data.get("completed_to") or data.get("code"))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.scoped:
            from inspections.services import default_scope

            start, end = default_scope()
            queryset = queryset.filter(tender_completed_on__gte=start, tender_completed_on__lte=end)
        return queryset
