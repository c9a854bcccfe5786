"""One filter definition per list of this app (assistance letters, joint actions): page, ledger and API."""

from __future__ import annotations

import django_filters

from casework.listing import CaseListFilter, date_from, date_to, ordering_by
from casework.org.selectors import user_departments
from jointaction.models import AssistanceRequest, JointAction, Trigger


class AssistanceFilter(CaseListFilter):
    search_fields = ("handoff__reference", "case_name", "requester__name", "assistant__name")
    private_search_fields = ("case_summary", "matters")  # free text: only where the user reads it unmasked
    private_handling_field = "requester"
    department_fields = ("requester", "assistant")
    clock_paths = ("", "handoff")

    state = django_filters.ChoiceFilter(choices=AssistanceRequest.State.choices, label="状态", empty_label="全部")
    direction = django_filters.ChoiceFilter(choices=(("received", "本单位收到的"), ("sent", "本单位发出的")),
                                            method="filter_direction", label="收发", empty_label="全部")
    sent_from = date_from("created_at", "发出日期自")
    sent_to = date_to("created_at", "发出日期至")
    closed_from = date_from("closed_at", "办结日期自")
    closed_to = date_to("closed_at", "办结日期至")
    ordering = ordering_by({"created_at": "发出时间", "case_name": "案件名称", "state": "状态", "reply_by": "反馈期限"})

    class Meta:
        model = AssistanceRequest
        fields: list[str] = []

    def filter_direction(self, queryset, name, value):
        mine = [d.pk for d in user_departments(self.request.user)] if self.request else []
        if value == "received":
            return queryset.filter(assistant_id__in=mine)
        if value == "sent":
            return queryset.filter(requester_id__in=mine)
        return queryset


class JointActionFilter(CaseListFilter):
    search_fields = ("reference", "title", "origin_label", "initiator__name", "participants__department__name")
    private_search_fields = ("trigger_note",)  # free text: only where the user reads it unmasked
    private_handling_field = "initiator"
    department_fields = ("initiator", "participants__department")

    kind = django_filters.ChoiceFilter(choices=JointAction.Kind.choices, label="类型", empty_label="全部")
    state = django_filters.ChoiceFilter(choices=JointAction.State.choices, label="状态", empty_label="全部")
    trigger = django_filters.ChoiceFilter(choices=Trigger.choices, label="发起情形", empty_label="全部")
    created_from = date_from("created_at", "发起日期自")
    created_to = date_to("created_at", "发起日期至")
    ended_from = date_from("ended_at", "结束日期自")
    ended_to = date_to("ended_at", "结束日期至")
    ordering = ordering_by({"created_at": "发起时间", "reference": "编号", "state": "状态"})

    class Meta:
        model = JointAction
        fields: list[str] = []


