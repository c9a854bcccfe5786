"""Reads of the consultation mechanism, scoped: the staff of a jurisdiction's departments see its mechanism and
member list; a meeting is seen by its convener, the units invited and the lead department; a decision also by its
owner; a solicitation by the drafting unit, the units consulted and the lead department. Supervisors see
everything in the jurisdictions they oversee. Everyone else gets a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from casework import privacy
from casework.clocks.models import Clock
from casework.errors import NotFound
from casework.events.models import Event
from casework.letters.models import Letter
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
    state: str  # open | due-soon | overdue | done | done-late | withdrawn
    label: str
    last_progress: Progress | None


STATE_LABELS = {"open": "落实中", "overdue": "已超期", "done": "按期落实", "done-late": "逾期落实",
                "withdrawn": "已撤回"}


def decision_state(decision: Decision, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    clock = decision.clock
    if decision.status == Decision.Status.WITHDRAWN:
        return "withdrawn"
    if decision.status == Decision.Status.DONE:
        return "done-late" if clock and clock.state == Clock.State.BREACHED else "done"
    if clock is not None and (clock.state == Clock.State.BREACHED or clock.due_at <= now):
        return "overdue"
    return "open"


def decisions_board(user, mechanism: Mechanism) -> list[BoardRow]:
    """Every decision of the mechanism the user may see, with its state: the lead department's view of who is
    behind (a decision whose clock the sweep marked breached, or past its date, is overdue)."""
    qs = (visible_decisions(user, mechanism).exclude(status=Decision.Status.WITHDRAWN)
          .prefetch_related(Prefetch("progress", queryset=Progress.objects.order_by("-created_at", "-id"),
                                     to_attr="progress_desc"), "followups", "clock__steps")
          .order_by("status", "due_on", "id"))
    now = timezone.now()
    rows = []
    for decision in qs:
        s = decision_state(decision, now)
        rows.append(BoardRow(decision, s, STATE_LABELS[s],
                             decision.progress_desc[0] if decision.progress_desc else None))
    return rows


def filter_board(rows: list[BoardRow], *, state: str = "", owner: str = "", search: str = "") -> list[BoardRow]:
    """`state`: open | overdue | done (on time or late); `owner`: a department code; `search`: words that must
    each appear in the reference, the decision, the owner's name or the meeting's title (the board is one
    mechanism's decisions, already in memory: its state is computed per row, so it is filtered here)."""
    words = (search or "").lower().split()[:5]

    def hay(r: BoardRow) -> str:  # the decision as the board shows it to most readers: masked
        d = r.decision
        return f"{d.reference} {privacy.mask_for(d, d.text)} {d.owner.name} {d.meeting.title}".lower()

    return [r for r in rows if (not state or r.state == state or (state == "done" and r.state == "done-late"))
            and (not owner or r.decision.owner.code == owner) and all(w in hay(r) for w in words)]


def board_ledger():
    from casework.ledger import Column

    return [
        Column("编号", lambda r: r.decision.reference),
        Column("议定事项", lambda r: privacy.mask_for(r.decision, r.decision.text)),
        Column("责任单位", lambda r: r.decision.owner.name), Column("会议", lambda r: r.decision.meeting.title),
        Column("完成期限", lambda r: r.decision.due_on), Column("状态", lambda r: r.label),
        Column("最新进展", lambda r: privacy.mask_for(r.decision, r.last_progress.note if r.last_progress
                                                        else r.decision.result)),
        Column("落实时间", lambda r: r.decision.completed_at),
    ]


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
