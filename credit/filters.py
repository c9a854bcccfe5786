"""One filter definition for the credit record list: the page, its ledger and GET /api/v1/credit/records/."""

from __future__ import annotations

import django_filters

from casework.listing import CaseListFilter, date_from, date_to, ordering_by
from credit.models import CreditRecord, CreditSubject


class CreditRecordFilter(CaseListFilter):
    search_fields = ("decision_number", "subject__name", "subject__code", "facts", "penalty")
    department_fields = ("department",)
    clock_paths = ()  # a credit record runs no statutory clock

    kind = django_filters.ChoiceFilter(choices=CreditRecord.Kind.choices, label="类型", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=CreditRecord.Status.choices, label="状态", empty_label="全部")
    subject_type = django_filters.ChoiceFilter(field_name="subject__type", choices=CreditSubject.Type.choices,
                                               label="主体类型", empty_label="全部")
    serious = django_filters.BooleanFilter(label="严重失信")
    decided_from = date_from("decided_on", "决定日期自", date_field=True)
    decided_to = date_to("decided_on", "决定日期至", date_field=True)
    ordering = ordering_by({"decided_on": "决定日期", "decision_number": "决定书文号", "status": "状态"})

    class Meta:
        model = CreditRecord
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("overdue", "due_within"):  # nothing to be late on
            self.filters.pop(name, None)
