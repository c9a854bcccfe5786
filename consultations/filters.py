"""One filter definition per consultation list (a mechanism's meetings, its solicitations): the page and its
ledger. Free text that may carry personal data (a meeting's content and record, a draft's text) is searched only
where the user reads it unmasked (casework.listing.CaseListFilter.private_search_fields)."""

from __future__ import annotations

import django_filters

from casework.listing import CaseListFilter, date_from, date_to, ordering_by
from consultations.models import Meeting, Solicitation


class MeetingFilter(CaseListFilter):
    search_fields = ("reference", "title", "place", "convener__name", "invitations__department__name")
    private_search_fields = ("purpose", "summary")
    private_handling_field = "convener"
    department_fields = ("convener", "invitations__department")
    clock_paths = ("invitations",)  # each invited unit's reply clock

    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, label="会议类型", empty_label="全部")
    scope = django_filters.ChoiceFilter(choices=Meeting.Scope.choices, label="形式", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label="状态", empty_label="全部")
    starts_from = date_from("starts_at", "会议日期自")
    starts_to = date_to("starts_at", "会议日期至")
    ordering = ordering_by({"starts_at": "会议时间", "reference": "编号", "status": "状态"})

    class Meta:
        model = Meeting
        fields: list[str] = []


class SolicitationFilter(CaseListFilter):
    search_fields = ("reference", "title", "initiator__name", "letter__doc_number")
    private_search_fields = ("draft_text", "final_text")
    private_handling_field = "initiator"
    department_fields = ("initiator", "replies__department")
    clock_paths = ("replies",)  # each member unit's comment clock

    kind = django_filters.ChoiceFilter(choices=Solicitation.Kind.choices, label="类别", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=Solicitation.Status.choices, label="状态", empty_label="全部")
    deadline_from = date_from("deadline", "反馈期限自", date_field=True)
    deadline_to = date_to("deadline", "反馈期限至", date_field=True)
    created_from = date_from("created_at", "发起日期自")
    created_to = date_to("created_at", "发起日期至")
    ordering = ordering_by({"deadline": "反馈期限", "created_at": "发起时间", "reference": "编号", "status": "状态"})

    class Meta:
        model = Solicitation
        fields: list[str] = []
