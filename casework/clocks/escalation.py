"""The escalation ladder and the periodic sweep that climbs it.

The sweep reads only clocks whose `next_action_at` has come (a partial index), so its cost
grows with the number of clocks due, not the number open. Each rung is an EscalationStep row
with a unique (clock, kind) constraint, written in the same transaction as its notifications
and audit events: a rung fires at most once even with two beat processes (rows are claimed
with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers with BEGIN
IMMEDIATE), a worker that dies mid-batch (the transaction rolls back) or a retried task.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from casework import bulk
from casework.calendar.services import get_calendar
from casework.clocks import timing
from casework.clocks.models import Clock, EscalationStep
from casework.clocks.services import ladder, next_action_at
from casework.events.services import Entry, record_many
from casework.notifications.services import NewNotice, create_rows
from casework.org.models import Department, Jurisdiction, Membership
from casework.rules.models import RuleVersion

log = logging.getLogger(__name__)
SWEEP_FIELDS = ("id", "label", "department_id", "assignee_id", "rule_version_id", "state", "due_at",
                "closed_at", "next_action_at")
STEP_COLUMNS = ("clock_id", "kind", "scheduled_for", "fired_at", "skipped")
Kind = EscalationStep.Kind
Role = Membership.Role


def _fmt(at: dt.datetime) -> str:
    return timing.format_due(at)


class _Directory:
    """Who to tell, loaded once per batch for the departments involved."""

    def __init__(self, departments: set[int]):
        self.jurisdictions = {j.id: j for j in Jurisdiction.objects.all()}
        self.offices = {d.jurisdiction_id: d for d in Department.objects.filter(
            is_supervision_office=True, active=True)}
        dept_ids = set(departments) | {d.id for d in self.offices.values()}
        self.people: dict[tuple[int, str], list[int]] = defaultdict(list)
        for user_id, dept_id, role in Membership.objects.filter(
                department_id__in=dept_ids, user__is_active=True,
                role__in=[Role.HANDLER, Role.LEADER, Role.SUPERVISOR]).values_list(
                "user_id", "department_id", "role"):
            self.people[(dept_id, role)].append(user_id)

    def office_for(self, jurisdiction_id: int) -> Department | None:
        seen = set()
        while jurisdiction_id and jurisdiction_id not in seen:
            seen.add(jurisdiction_id)
            if jurisdiction_id in self.offices:
                return self.offices[jurisdiction_id]
            jurisdiction_id = self.jurisdictions[jurisdiction_id].parent_id
        return None

    def recipients(self, clock: Clock, kind: str, jurisdiction_id: int) -> list[int]:
        handlers = [clock.assignee_id] if clock.assignee_id else self.people[(clock.department_id, Role.HANDLER)]
        leaders = self.people[(clock.department_id, Role.LEADER)]
        if kind == Kind.REMINDER:
            users = handlers
        elif kind == Kind.BREACH:
            users = handlers + leaders
        elif kind == Kind.SUPERVISION:
            office = self.office_for(jurisdiction_id)
            users = leaders + (self.people[(office.id, Role.SUPERVISOR)] if office else [])
        else:
            users = []
        return list(dict.fromkeys(u for u in users if u))


def _late_by(cal, clock: Clock, at: dt.datetime) -> int:
    """Working days overdue at `at` (the last day itself is not late)."""
    return cal.working_days_between(timing.due_date(clock.due_at), timing.local_date(at))


def _message(clock: Clock, kind: str, profile, dept: str, *, cal=None, scheduled_for=None,
             now=None) -> tuple[str, str]:
    due = _fmt(clock.due_at)
    if kind == Kind.REMINDER:
        return (f"临期提醒：{clock.label}将于{due}到期",
                f"{dept}办理的“{clock.label}”将于{due}到期，请及时办理。")
    if kind == Kind.BREACH:
        return (f"超期：{clock.label}已于{due}到期",
                f"{dept}办理的“{clock.label}”已于{due}到期仍未办结，已记录为超期。")
    if kind == Kind.SUPERVISION:
        n = profile.supervision_after_working_days
        # Lateness as of when the notice goes out (the rung may have fallen due earlier, e.g. while the
        # sweep was down), and the rung's own time, both stated.
        late = _late_by(cal, clock, now) if cal is not None and now is not None else n
        rung = f"（督办节点：超期{n}个工作日，{_fmt(scheduled_for)}）" if scheduled_for is not None else ""
        return (f"督办：{dept}“{clock.label}”已超期{late}个工作日",
                f"{dept}办理的“{clock.label}”期限为{due}，截至{timing.local_date(now or clock.due_at):%Y-%m-%d}"
                f"已超期{late}个工作日仍未办结{rung}，请予督办。")
    n = profile.circular_after_working_days
    return (f"列入通报：{dept}“{clock.label}”", f"超期{n}个工作日，已列入定期通报。")


def _fire(clocks: list[Clock], now: dt.datetime) -> int:
    cal = get_calendar()
    existing: dict[int, set[str]] = defaultdict(set)
    for clock_id, kind in EscalationStep.objects.filter(clock__in=clocks).values_list("clock_id", "kind"):
        existing[clock_id].add(kind)
    directory = _Directory({c.department_id for c in clocks})
    # The few distinct profiles and departments of a batch, looked up once.
    versions = {v.id: v for v in RuleVersion.objects.filter(
        id__in={c.rule_version_id for c in clocks}).select_related("rule__profile")}
    profiles = {vid: v.rule.profile for vid, v in versions.items()}
    departments = {d.id: d for d in Department.objects.filter(id__in={c.department_id for c in clocks})}
    # Clocks due together mostly share their deadline and rule: each ladder is worked out once.
    ladders: dict[tuple, dict] = {}
    # Plain rows, not model instances: a thousand due clocks make thousands of rungs and notices.
    steps, notes, entries, fired_count = [], [], [], 0
    for clock in clocks:
        profile = profiles[clock.rule_version_id]
        clock.rule_version = versions[clock.rule_version_id]  # the rule's own reminder lead, no query
        dept = departments[clock.department_id]
        key = (clock.due_at, clock.rule_version_id)
        times = ladders.get(key)
        if times is None:
            times = ladders[key] = ladder(cal, clock, profile)
        fired = existing[clock.id]
        if clock.closed_at is None and clock.state in (Clock.State.RUNNING, Clock.State.BREACHED):
            skipped_kinds = []
            for kind in EscalationStep.ORDER:
                at = times.get(kind)
                if at is None or kind in fired or at > now:
                    continue
                skipped = kind == Kind.REMINDER and times[Kind.BREACH] <= now
                steps.append((clock.id, kind, at, now, skipped))
                fired.add(kind)
                fired_count += 1
                if skipped:
                    # Recorded on its step row and named in the next rung's event; not sent.
                    skipped_kinds.append(kind)
                    continue
                before_state = clock.state
                if kind == Kind.BREACH and clock.state == Clock.State.RUNNING:
                    clock.state = Clock.State.BREACHED
                after = {"state": clock.state, "scheduled_for": at, "due_at": clock.due_at}
                if skipped_kinds:
                    after["skipped"], skipped_kinds = skipped_kinds, []
                entries.append(Entry(clock, f"clock.{kind}", {"state": before_state}, after))
                title, body = _message(clock, kind, profile, dept.display_name, cal=cal, scheduled_for=at, now=now)
                url = f"/clocks/{clock.id}/"
                for user_id in directory.recipients(clock, kind, dept.jurisdiction_id):
                    notes.append(NewNotice(user_id, kind, title, body, url, clock.id, now))
        clock.next_action_at = next_action_at(cal, clock, profile, fired, times)
    bulk.insert_rows(EscalationStep, STEP_COLUMNS, steps)
    create_rows(notes)
    record_many(entries, at=now)
    # One UPDATE per distinct outcome: clocks due together usually share their next rung's time,
    # and this is far cheaper than bulk_update's per-row CASE expressions.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for clock in clocks:
        groups[(clock.state, clock.next_action_at)].append(clock.pk)
    for (state, next_at), ids in groups.items():
        Clock.objects.filter(pk__in=ids).update(state=state, next_action_at=next_at)
    return fired_count


def sweep(now: dt.datetime | None = None, batch_size: int = 2000) -> int:
    """Fire every rung that has come due. Returns the number of rungs fired.
    A batch is one transaction and one chaining of its audit events after commit: a usual sweep's due clocks go
    in one (each batch costs a commit, a chaining pass and the directory and rule look-ups again)."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            qs = (Clock.objects.filter(next_action_at__lte=now).order_by("next_action_at")
                  .only(*SWEEP_FIELDS))
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            clocks = list(qs[:batch_size])
            if not clocks:
                break
            total += _fire(clocks, now)
        if len(clocks) < batch_size:
            break
    if total:
        log.info("deadline sweep fired %d escalation steps", total)
    return total
