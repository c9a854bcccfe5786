"""Filter definitions for the shared machinery's own lists (hand-overs, clocks): page, ledger and API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from casework.clocks.models import Clock
from casework.handoffs.models import Handoff
from casework.listing import CaseListFilter, date_from, date_to, ordering_by


class HandoffFilter(CaseListFilter):
    search_fields = ("reference", "title", "sender__name", "receiver__name")
    department_fields = ("sender", "receiver")

    kind = django_filters.ChoiceFilter(choices=Handoff.Kind.choices, label="类型", empty_label="全部")
    state = django_filters.ChoiceFilter(choices=Handoff.State.choices, label="状态", empty_label="全部")
    sent_from = date_from("sent_at", "移交日期自")
    sent_to = date_to("sent_at", "移交日期至")
    closed_from = date_from("closed_at", "办结日期自")
    closed_to = date_to("closed_at", "办结日期至")
    ordering = ordering_by({"sent_at": "移交时间", "reference": "编号", "state": "状态"})

    class Meta:
        model = Handoff
        fields: list[str] = []


class ClockFilter(CaseListFilter):
    """The clocks themselves: "overdue" and "due within" read the clock's own state and due time."""

    search_fields = ("label", "department__name", "counterpart__name", "rule_version__rule__key")
    department_fields = ("department", "counterpart")

    state = django_filters.ChoiceFilter(choices=Clock.State.choices, label="状态", empty_label="全部")
    open_only = django_filters.BooleanFilter(method="filter_open", label="仅未办结")
    mine = django_filters.BooleanFilter(method="filter_mine", label="仅本单位承办")
    due_from = date_from("due_at", "截止日期自")
    due_to = date_to("due_at", "截止日期至")
    started_from = date_from("started_at", "起算日期自")
    started_to = date_to("started_at", "起算日期至")
    ordering = ordering_by({"due_at": "截止时间", "started_at": "起算时间", "state": "状态"})

    class Meta:
        model = Clock
        fields: list[str] = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        cond = Q(closed_at__isnull=True) & ~Q(state=Clock.State.CANCELLED)
        return queryset.filter(cond) if value else queryset.exclude(cond)

    def filter_mine(self, queryset, name, value):
        """The clocks my departments must act on (the workbench), or those of other departments I wait on."""
        if value is None:
            return queryset
        from casework.org.selectors import user_departments

        depts = [d.pk for d in user_departments(getattr(self.request, "user", None))]
        return queryset.filter(department_id__in=depts) if value else queryset.exclude(department_id__in=depts)

    def _late(self) -> Q:
        open_states = [Clock.State.RUNNING, Clock.State.PAUSED]
        return (Q(state__in=open_states, due_at__lt=timezone.now())
                | Q(state=Clock.State.BREACHED, closed_at__isnull=True))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(self._late()) if value else queryset.exclude(self._late())

    def _clock_cond(self, **kwargs) -> Q:  # "due within N working days" on the clock itself
        return Q(state__in=[Clock.State.RUNNING, Clock.State.PAUSED], due_at__gte=timezone.now(),
                 due_at__lte=kwargs["due_by"])
