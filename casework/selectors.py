"""Reads, already scoped to what the actor may see. What one may not see raises NotFound."""

from __future__ import annotations

from casework.clocks.models import Clock, EscalationStep
from casework.errors import NotFound
from casework.handoffs.models import Handoff
from casework.listing import Ledger, ledger
from casework.org.selectors import scoped, supervised_jurisdiction_ids, user_departments


def visible_handoffs(user):
    return scoped(user, Handoff.objects.select_related("sender", "receiver"),
                  department_fields=("sender", "receiver"), perm="casework.view_handoff")


def get_handoff(user, pk) -> Handoff:
    handoff = visible_handoffs(user).filter(pk=pk).first()
    if handoff is None:
        raise NotFound("未找到该事项。")
    return handoff


def visible_clocks(user):
    """A department's own clocks and the ones it waits on; a supervisor's whole jurisdiction."""
    return scoped(user, Clock.objects.select_related("department", "counterpart", "rule_version__rule__profile",
                                                     "subject_type"),
                  department_fields=("department", "counterpart"))


def get_clock(user, pk) -> Clock:
    clock = visible_clocks(user).filter(pk=pk).first()
    if clock is None:
        raise NotFound("未找到该时限。")
    return clock


def with_subject_pages(clocks: list) -> list:
    """Clocks whose subjects (prefetched) link to their pages without a query per row: a hand-over's page is its
    mechanism's record, read for the whole list at once."""
    from casework.handoffs.models import Handoff
    from casework.handoffs.registry import prime_pages

    prime_pages([c.subject for c in clocks if isinstance(c.subject, Handoff)])
    return clocks


def workbench_clocks(user):
    """Open clocks my departments must act on, most urgent first."""
    depts = [d.id for d in user_departments(user)]
    return (visible_clocks(user).filter(department_id__in=depts, closed_at__isnull=True)
            .exclude(state=Clock.State.CANCELLED).order_by("due_at"))


def supervision_clocks(user):
    """Overdue clocks across the jurisdictions a supervisor oversees."""
    supervised = supervised_jurisdiction_ids(user)
    return (visible_clocks(user).filter(department__jurisdiction_id__in=supervised,
                                        closed_at__isnull=True, state=Clock.State.BREACHED)
            .order_by("due_at"))


def circular_steps(user, since=None, until=None):
    supervised = supervised_jurisdiction_ids(user)
    qs = (EscalationStep.objects.filter(kind=EscalationStep.Kind.CIRCULAR,
                                        clock__department__jurisdiction_id__in=supervised)
          .select_related("clock__department", "clock__rule_version__rule"))
    if since:
        qs = qs.filter(fired_at__gte=since)
    if until:
        qs = qs.filter(fired_at__lt=until)
    return qs.order_by("-fired_at")


def pending_disputes(user):
    """Jurisdiction disputes awaiting the supervision office's designation, with their clocks."""
    from django.contrib.contenttypes.models import ContentType

    from referrals.models import JurisdictionDispute

    supervised = supervised_jurisdiction_ids(user)
    disputes = list(JurisdictionDispute.objects.filter(decided_at__isnull=True,
                                                       office__jurisdiction_id__in=supervised)
                    .select_related("clue", "first", "second", "office").order_by("raised_at"))
    ct = ContentType.objects.get_for_model(JurisdictionDispute)
    clocks = {c.subject_id: c for c in Clock.objects.filter(subject_type=ct, closed_at__isnull=True,
                                                            subject_id__in=[str(d.pk) for d in disputes])}
    for d in disputes:
        d.clock = clocks.get(str(d.pk))
    return disputes


def handoff_ledger():
    from casework.ledger import Column

    return [
        Column("编号", lambda h: h.reference), Column("类型", lambda h: h.get_kind_display()),
        Column("事项", lambda h: h.title), Column("移交单位", lambda h: h.sender.name),
        Column("接收单位", lambda h: h.receiver.name), Column("状态", lambda h: h.get_state_display()),
        Column("移交时间", lambda h: h.sent_at), Column("签收时间", lambda h: h.received_at),
        Column("办结时间", lambda h: h.closed_at),
    ]


def clock_ledger():
    from casework import privacy
    from casework.ledger import Column

    return [
        Column("环节", lambda c: c.label), Column("事项", lambda c: privacy.mask_text(str(c.subject or ""))),
        Column("责任单位", lambda c: c.department.name),
        Column("相对单位", lambda c: c.counterpart.name if c.counterpart_id else ""),
        Column("时限", lambda c: c.rule_version.limit_display),
        Column("依据", lambda c: c.rule_version.clause or c.rule_version.get_source_display()),
        Column("起算时间", lambda c: c.started_at), Column("截止时间", lambda c: c.due_at),
        Column("状态", lambda c: c.get_state_display()), Column("办结时间", lambda c: c.closed_at),
    ]


@ledger("casework.clocks")
def clock_list_ledger(user) -> Ledger:
    from casework.filters import ClockFilter

    return Ledger(ClockFilter, visible_clocks(user).prefetch_related("subject").order_by("due_at", "pk"),
                  clock_ledger(), "法定时限台账")


@ledger("casework.handoffs")
def handoff_list_ledger(user) -> Ledger:
    from casework.filters import HandoffFilter

    return Ledger(HandoffFilter, visible_handoffs(user).order_by("-sent_at", "-pk"), handoff_ledger(), "移交事项台账")
