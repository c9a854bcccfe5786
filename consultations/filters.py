"""One filter definition per consultation list (a mechanism's meetings, its solicitations, its decisions board): the
page, its ledger and its API list. Free text that may carry personal data (a meeting's content and record, a draft's
text, a decision) is searched only as the user reads it (casework.listing.CaseListFilter.private_search_fields)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from casework import privacy
from casework.listing import MAX_SEARCH_WORDS, CaseListFilter, date_from, date_to, ordering_by
from consultations.models import Decision, Meeting, Solicitation


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


BOARD_STATES = (("open", "落实中"), ("overdue", "已超期"), ("done", "已落实（含逾期落实）"), ("done-late", "逾期落实"))


class DecisionFilter(CaseListFilter):
    """The decisions board (议定事项落实情况): its rows carry `state` (consultations.selectors.board_state, computed
    in the database), so the state filter, the counts and the pages are SQL. The search box looks in the reference,
    the owner's name and the meeting's title, and in the decision's text as the user reads it: the original where
    the user is cleared for it (the convener's staff holding casework.view_personal_data), else the masked text, so
    a name or number the page masks never finds a row."""

    search_fields = ("reference", "owner__name", "owner__short_name", "meeting__title")
    private_search_fields = ("text",)
    private_handling_field = "meeting__convener"
    department_fields = ("owner",)
    clock_paths = ("",)  # the owner's clock hangs on the decision itself

    state = django_filters.ChoiceFilter(choices=BOARD_STATES, method="filter_state", label="状态", empty_label="全部")
    owner = django_filters.CharFilter(field_name="owner__code", label="责任单位（单位代码）")
    due_from = date_from("due_on", "完成期限自", date_field=True)
    due_to = date_to("due_on", "完成期限至", date_field=True)
    # the page and the API take the mechanism from their path; a background export of the board carries it here
    mechanism = django_filters.NumberFilter(field_name="meeting__mechanism", label="会商机制（编号）", min_value=1,
                                            max_value=2**31 - 1)
    ordering = ordering_by({"due_on": "完成期限", "reference": "编号", "state": "状态", "completed_at": "落实时间"})

    class Meta:
        model = Decision
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state__in=("done", "done-late") if value == "done" else (value,))

    def filter_overdue(self, queryset, name, value):
        """"仅超期" is the board's own 已超期 (a breached clock, or one past its date, on an open decision)."""
        if value is None:
            return queryset
        return queryset.filter(state="overdue") if value else queryset.exclude(state="overdue")

    def filter_search(self, queryset, name, value):
        words = (value or "").split()[:MAX_SEARCH_WORDS]
        if not words:
            return queryset
        readable = self._readable_rows()
        for word in words:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": word})
            if readable is not None:
                cond |= Q(text__icontains=word) & readable
            cond |= Q(pk__in=self._found_in_masked_text(queryset, word, readable))
            queryset = queryset.filter(cond)
        return queryset.distinct()

    @staticmethod
    def _found_in_masked_text(queryset, word: str, readable: Q | None) -> list[int]:
        """Rows the user reads masked whose masked text holds `word`: the database narrows to the texts holding it
        (a mechanism's decisions, a few hundred at most), the masking service decides."""
        candidates = queryset.filter(text__icontains=word)
        if readable is not None:
            candidates = candidates.exclude(readable)
        needle = word.lower()
        return [pk for pk, text in candidates.order_by().values_list("pk", "text")
                if needle in privacy.mask_for(Decision(pk=pk, text=text), text).lower()]
