"""One filter definition for the complaint list: the page, its ledger (CSV/XLSX) and GET /api/v1/complaints/."""

from __future__ import annotations

import django_filters

from casework.listing import CaseListFilter, date_from, date_to, ordering_by
from complaints.models import Complaint, TradingType


class ComplaintFilter(CaseListFilter):
    # The complainant's name and ID are not searchable: a search box must not become a way to test who complained.
    # The grounds (事实和理由) may name them too: searched only where the user reads the grounds unmasked.
    search_fields = ("reference", "tracking_code", "project_code", "project_name")
    private_search_fields = ("grounds",)
    private_handling_field = "department"
    department_fields = ("department",)

    status = django_filters.ChoiceFilter(choices=Complaint.Status.choices, label="状态", empty_label="全部")
    channel = django_filters.ChoiceFilter(choices=Complaint.Channel.choices, label="渠道", empty_label="全部")
    trading_type = django_filters.ChoiceFilter(choices=TradingType.choices, label="交易类型", empty_label="全部")
    received_from = date_from("received_at", "收到日期自")
    received_to = date_to("received_at", "收到日期至")
    decided_from = date_from("decided_at", "决定日期自")
    decided_to = date_to("decided_at", "决定日期至")
    ordering = ordering_by({"received_at": "收到时间", "reference": "编号", "status": "状态", "decided_at": "决定时间"})

    class Meta:
        model = Complaint
        fields: list[str] = []
