"""One filter definition for the inspection plan list: the page, its ledger and GET /api/v1/inspections/plans/."""

from __future__ import annotations

import django_filters

from casework.listing import CaseListFilter, date_from, date_to
from inspections.models import Plan


class PlanFilter(CaseListFilter):
    search_fields = ("reference", "title", "lead_department__name", "participants__name", "items__title")
    department_fields = ("lead_department", "participants")

    status = django_filters.ChoiceFilter(choices=Plan.Status.choices, label="状态", empty_label="全部")
    starts_from = date_from("starts_on", "检查开始日期自", date_field=True)
    starts_to = date_to("starts_on", "检查开始日期至", date_field=True)
    ends_from = date_from("ends_on", "计划结束日期自", date_field=True)
    ends_to = date_to("ends_on", "计划结束日期至", date_field=True)
    ordering = django_filters.OrderingFilter(fields=(("created_at", "created_at"), ("reference", "reference"),
                                                     ("starts_on", "starts_on"), ("status", "status")),
                                             field_labels={"created_at": "制定时间", "reference": "计划编号",
                                                           "starts_on": "检查开始日期", "status": "状态"},
                                             label="排序")

    class Meta:
        model = Plan
        fields: list[str] = []
