"""Reads of the consultation mechanism, scoped: the staff of a jurisdiction's departments see its mechanism and
member list; a meeting is seen by its convener, the units invited and the lead department; a decision also by its
owner; a solicitation by the drafting unit, the units consulted and the lead department. Supervisors see
everything in the jurisdictions they oversee. Everyone else gets a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Prefetch, Q, Value, When
from django.utils import timezone

from casework import privacy
from casework.clocks.models import Clock
from casework.errors import NotFound
from casework.events.models import Event
from casework.letters.models import Letter
from casework.listing import Ledger, ledger
from casework.org.selectors import supervised_jurisdiction_ids, user_departments
from consultations.models import (
    CommentReply,
    ContactChange,
    Decision,
    Escalation,
    Mechanism,
    Meeting,
    Member,
    Progress,
    RegularPeriod,
    Solicitation,
)


def _scope(user) -> tuple[list[int], set[int], set[int]]:
    depts = user_departments(user)
    return [d.id for d in depts], {d.jurisdiction_id for d in depts}, supervised_jurisdiction_ids(user)


def visible_mechanisms(user):
    if not getattr(user, "is_authenticated", False):
        return Mechanism.objects.none()
    _, home, supervised = _scope(user)
    return (Mechanism.objects.filter(jurisdiction_id__in=home | supervised)
            .select_related("jurisdiction", "lead").order_by("jurisdiction__code"))


def get_mechanism(user, pk) -> Mechanism:
    mechanism = visible_mechanisms(user).filter(pk=pk).first()
    if mechanism is None:
        raise NotFound("未找到该会商机制。")
    return mechanism


def is_lead_staff(user, mechanism: Mechanism) -> bool:
    return mechanism.lead in user_departments(user)


def oversees(user, mechanism: Mechanism) -> bool:
    """The lead department's staff and the supervisors of the jurisdiction see every item of the mechanism."""
    return is_lead_staff(user, mechanism) or mechanism.jurisdiction_id in supervised_jurisdiction_ids(user)


def members(mechanism: Mechanism):
    return (mechanism.members.filter(department__active=True).select_related("department")
            .prefetch_related(Prefetch("changes", queryset=ContactChange.objects.filter(
                status=ContactChange.Status.PENDING).select_related("clock"), to_attr="pending_changes")))


def get_member(mechanism: Mechanism, pk) -> Member:
    member = mechanism.members.select_related("department").filter(pk=pk).first()
    if member is None:
        raise NotFound("未找到该成员单位。")
    return member


def recent_changes(mechanism: Mechanism, limit: int = 50):
    return (ContactChange.objects.filter(member__mechanism=mechanism)
            .select_related("member__department", "clock").order_by("-created_at", "-id")[:limit])


# --- meetings ------------------------------------------------------------------------------------------
def visible_meetings(user, mechanism: Mechanism | None = None):
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    depts, _, supervised = _scope(user)
    q = (Q(convener_id__in=depts) | Q(invitations__department_id__in=depts) | Q(mechanism__lead_id__in=depts)
         | Q(escalations__government_id__in=depts)  # the government a matter was escalated to
         | Q(mechanism__jurisdiction_id__in=supervised))
    qs = Meeting.objects.filter(pk__in=Meeting.objects.filter(q).values("pk"))
    if mechanism is not None:
        qs = qs.filter(mechanism=mechanism)
    return qs.select_related("mechanism__lead", "mechanism__jurisdiction", "convener", "minutes_letter")


def get_meeting(user, pk) -> Meeting:
    meeting = visible_meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise NotFound("未找到该会议。")
    return meeting


def meeting_timeline(meeting: Meeting):
    decisions = [str(pk) for pk in meeting.decisions.values_list("pk", flat=True)]
    return Event.objects.filter(
        Q(object_type="consultations.meeting", object_id=str(meeting.pk))
        | Q(object_type="consultations.decision", object_id__in=decisions)).order_by("seq")


# --- decisions ------------------------------------------------------------------------------------------
def visible_decisions(user, mechanism: Mechanism | None = None):
    depts, _, _ = _scope(user)
    meetings = visible_meetings(user, mechanism).values("pk")
    qs = Decision.objects.filter(Q(meeting__in=meetings) | Q(owner_id__in=depts))
    if mechanism is not None:
        qs = qs.filter(meeting__mechanism=mechanism)
    return qs.select_related("meeting__mechanism__lead", "meeting__convener", "owner", "clock", "escalation")


def get_decision(user, pk) -> Decision:
    decision = visible_decisions(user).filter(pk=pk).first()
    if decision is None:
        raise NotFound("未找到该议定事项。")
    return decision


@dataclass
class BoardRow:
    decision: Decision
    state: str  # open | overdue | done | done-late | withdrawn
    label: str
    last_progress: Progress | None


STATE_LABELS = {"open": "落实中", "overdue": "已超期", "done": "按期落实", "done-late": "逾期落实",
                "withdrawn": "已撤回"}


def decision_state(decision: Decision, now: dt.datetime | None = None) -> str:
    """One decision's state (its page, its API detail); the board computes the same in SQL (board_state)."""
    now = now or timezone.now()
    clock = decision.clock
    if decision.status == Decision.Status.WITHDRAWN:
        return "withdrawn"
    if decision.status == Decision.Status.DONE:
        return "done-late" if clock and clock.state == Clock.State.BREACHED else "done"
    if clock is not None and (clock.state == Clock.State.BREACHED or clock.due_at <= now):
        return "overdue"
    return "open"


def board_state(now: dt.datetime) -> Case:
    """decision_state as an SQL expression, so the board filters, counts and pages its states in the database."""
    done, breached = Decision.Status.DONE, Clock.State.BREACHED
    return Case(
        When(status=Decision.Status.WITHDRAWN, then=Value("withdrawn")),
        When(status=done, clock__state=breached, then=Value("done-late")),
        When(status=done, then=Value("done")),
        When(clock__state=breached, then=Value("overdue")),
        When(clock__due_at__lte=now, then=Value("overdue")),
        default=Value("open"), output_field=CharField())


def decisions_for_board(user, mechanism: Mechanism | None = None):
    """The decisions the user may see (of one mechanism, or all), withdrawn ones left out, each with its `state`
    and what a board row shows fetched in a fixed number of queries (the latest progress first in
    `progress_desc`). Ordered as the board always was: by status, then due date."""
    return (visible_decisions(user, mechanism).exclude(status=Decision.Status.WITHDRAWN)
            .annotate(state=board_state(timezone.now()))
            .select_related("meeting__minutes_letter", "clock__rule_version__rule")
            .prefetch_related(Prefetch("progress", queryset=Progress.objects.order_by("-created_at", "-id"),
                                       to_attr="progress_desc"), "followups", "clock__steps")
            .order_by("status", "due_on", "id"))


def _last_progress(decision: Decision) -> Progress | None:
    progress = getattr(decision, "progress_desc", None)
    if progress is None:
        progress = list(decision.progress.order_by("-created_at", "-id")[:1])
    return progress[0] if progress else None


def state_of(decision: Decision) -> str:
    """The board's state of a decision: the SQL annotation when it came from the board, else decision_state."""
    return getattr(decision, "state", None) or decision_state(decision)


def board_rows(decisions) -> list[BoardRow]:
    """A page of the board: each decision with its state, label and latest progress."""
    rows = []
    for decision in decisions:
        state = state_of(decision)
        rows.append(BoardRow(decision, state, STATE_LABELS[state], _last_progress(decision)))
    return rows


def decisions_board(user, mechanism: Mechanism) -> list[BoardRow]:
    """Every decision of the mechanism the user may see, with its state: the lead department's view of who is
    behind (a decision whose clock the sweep marked breached, or past its date, is overdue)."""
    return board_rows(decisions_for_board(user, mechanism))


def board_counts(decisions) -> dict[str, int]:
    """The board's chips: how many decisions are open, overdue and done (on time or late), in one query."""
    from django.db.models import Count

    return decisions.order_by().aggregate(
        open=Count("pk", filter=Q(state="open")), overdue=Count("pk", filter=Q(state="overdue")),
        done=Count("pk", filter=Q(state__in=("done", "done-late"))))


def board_columns():
    """The board's ledger: the free text masked, as most readers see it on the page."""
    from casework.ledger import Column

    def last_note(d: Decision) -> str:
        progress = _last_progress(d)
        return privacy.mask_for(d, progress.note if progress else d.result)

    return [
        Column("编号", lambda d: d.reference),
        Column("议定事项", lambda d: privacy.mask_for(d, d.text)),
        Column("责任单位", lambda d: d.owner.name), Column("会议", lambda d: d.meeting.title),
        Column("完成期限", lambda d: d.due_on), Column("状态", lambda d: STATE_LABELS[state_of(d)]),
        Column("最新进展", last_note),
        Column("落实时间", lambda d: d.completed_at),
    ]


def board_ledger(user, mechanism: Mechanism | None = None) -> Ledger:
    """The decisions board as `user` sees it (one mechanism's, or every mechanism's for a background export, which
    narrows to the page's mechanism by the `mechanism` filter)."""
    from consultations.filters import DecisionFilter

    return Ledger(DecisionFilter, decisions_for_board(user, mechanism), board_columns(), "议定事项落实台账",
                  name=decision_list_ledger.ledger_name)


@ledger("consultations.decisions")
def decision_list_ledger(user) -> Ledger:
    """Every decision the user may see on a board, for a background export of the board."""
    return board_ledger(user)


def meeting_ledger():
    from casework.ledger import Column

    return [
        Column("编号", lambda m: m.reference), Column("会议主题", lambda m: m.title),
        Column("会议类型", lambda m: m.get_kind_display()), Column("形式", lambda m: m.get_scope_display()),
        Column("发起部门", lambda m: m.convener.name), Column("会议时间", lambda m: m.starts_at),
        Column("地点", lambda m: m.place), Column("答复期限", lambda m: m.reply_due_on),
        Column("状态", lambda m: m.get_status_display()), Column("召开时间", lambda m: m.held_at),
        Column("会议纪要", lambda m: m.minutes_letter.doc_number if m.minutes_letter_id else ""),
    ]


def meeting_list_ledger(user, mechanism: Mechanism) -> Ledger:
    """One mechanism's meetings as the user sees them: the page, its ledger and the API list. A few hundred at
    most, so not registered for background export: the export always answers in the request."""
    from consultations.filters import MeetingFilter

    rows = visible_meetings(user, mechanism).order_by("-starts_at", "-pk")
    return Ledger(MeetingFilter, rows, meeting_ledger(), "会商会议台账")


def solicitation_list_ledger(user, mechanism: Mechanism) -> Ledger:
    """One mechanism's solicitations as the user sees them, replies counted: the page, its ledger and the API."""
    from consultations.filters import SolicitationFilter

    return Ledger(SolicitationFilter, solicitations_for_list(user, mechanism), solicitation_ledger(), "征求意见台账")


def solicitations_for_list(user, mechanism: Mechanism):
    """A mechanism's solicitations the user may see, with how many member units were asked and have replied."""
    from django.db.models import Count

    return (visible_solicitations(user, mechanism)
            .annotate(asked=Count("replies", distinct=True),
                      replied=Count("replies", filter=~Q(replies__status="pending"), distinct=True))
            .order_by("-created_at", "-pk"))


def solicitation_ledger():
    from casework.ledger import Column

    return [
        Column("编号", lambda s: s.reference), Column("文件名称", lambda s: s.title),
        Column("类别", lambda s: s.get_kind_display()), Column("起草单位", lambda s: s.initiator.name),
        Column("征求意见函", lambda s: s.letter.doc_number if s.letter_id else ""),
        Column("反馈期限", lambda s: s.deadline), Column("征求单位数", lambda s: s.asked),
        Column("已反馈或逾期", lambda s: s.replied), Column("状态", lambda s: s.get_status_display()),
        Column("定稿时间", lambda s: s.finalised_at),
    ]


def decision_timeline(decision: Decision):
    clock = [str(decision.clock_id)] if decision.clock_id else []
    return Event.objects.filter(
        Q(object_type="consultations.decision", object_id=str(decision.pk))
        | Q(object_type="casework.clock", object_id__in=clock)).order_by("seq")


# --- solicitations --------------------------------------------------------------------------------------
def visible_solicitations(user, mechanism: Mechanism | None = None):
    if not getattr(user, "is_authenticated", False):
        return Solicitation.objects.none()
    depts, _, supervised = _scope(user)
    q = (Q(initiator_id__in=depts) | Q(replies__department_id__in=depts) | Q(mechanism__lead_id__in=depts)
         | Q(mechanism__jurisdiction_id__in=supervised))
    qs = Solicitation.objects.filter(pk__in=Solicitation.objects.filter(q).values("pk"))
    if mechanism is not None:
        qs = qs.filter(mechanism=mechanism)
    return qs.select_related("mechanism__lead", "initiator", "letter")


def get_solicitation(user, pk) -> Solicitation:
    solicitation = visible_solicitations(user).filter(pk=pk).first()
    if solicitation is None:
        raise NotFound("未找到该征求意见事项。")
    return solicitation


def solicitation_timeline(solicitation: Solicitation):
    return (Event.objects.filter(object_type="consultations.solicitation", object_id=str(solicitation.pk))
            .order_by("seq"))


def solicitation_replies(solicitation: Solicitation):
    return solicitation.replies.select_related("department", "clock").order_by("department__code")


# --- periods, letters ----------------------------------------------------------------------------------------
def periods(mechanism: Mechanism):
    return mechanism.periods.select_related("clock", "meeting").order_by("-starts_on")


def next_regular(mechanism: Mechanism) -> RegularPeriod | None:
    """The earliest period still waiting for its regular meeting: "下次例会应于 X 前召开"."""
    return (mechanism.periods.filter(meeting__isnull=True, clock__closed_at__isnull=True)
            .select_related("clock").order_by("starts_on").first())


def get_letter(user, pk) -> Letter:
    """A letter of this mechanism (minutes, 征求意见函, report to the government) for those who may see the item
    it belongs to: the units it is distributed to read it here, not only its issuer."""
    letter = Letter.objects.filter(pk=pk, subject_type__app_label="consultations").select_related("issuer").first()
    subject = letter.subject if letter is not None else None
    visible = False
    if isinstance(subject, Meeting):
        visible = visible_meetings(user).filter(pk=subject.pk).exists()
    elif isinstance(subject, Escalation):
        visible = visible_meetings(user).filter(pk=subject.meeting_id).exists()
    elif isinstance(subject, Solicitation):
        visible = visible_solicitations(user).filter(pk=subject.pk).exists()
    if not visible:
        raise NotFound("未找到该文书。")
    return letter


def my_open_items(user, mechanism: Mechanism) -> dict:
    """What the user's units must do in this mechanism: invitations to answer, decisions to carry out,
    drafts to comment on."""
    depts = [d.id for d in user_departments(user)]
    return {
        "invitations": (mechanism.meetings.filter(status=Meeting.Status.SCHEDULED, invitations__department_id__in=depts,
                                                  invitations__reply="pending")
                        .distinct().order_by("starts_at")),
        "decisions": (Decision.objects.filter(meeting__mechanism=mechanism, owner_id__in=depts,
                                              status=Decision.Status.OPEN)
                      .select_related("clock", "owner").order_by("due_on")),
        "comments": (CommentReply.objects.filter(solicitation__mechanism=mechanism, department_id__in=depts,
                                                 status=CommentReply.Status.PENDING)
                     .select_related("solicitation", "clock", "department")),
    }
