"""Statutory clocks: start, pause, resume, complete, cancel, recompute, correct.

Every change is atomic, writes an audit event, and keeps `next_action_at` (the escalation
sweep's index) true. A deadline is recomputed only here, by an explicit, audited event.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.calendar.services import get_calendar
from casework.calendar.workcalendar import OutOfRange, WorkCalendar
from casework.clocks import timing
from casework.clocks.models import Clock, EscalationStep, PauseSpan
from casework.errors import Conflict, DomainError
from casework.events.services import Entry, record, record_many
from casework.org.models import Department
from casework.rules.models import Rule, RuleProfile, RuleVersion, Unit
from casework.rules.powers import require_power
from casework.rules.services import rule_for


def reminder_days(clock: Clock, profile: RuleProfile) -> int:
    """The rule's own reminder lead (scaled to its period) or the profile's."""
    own = clock.rule_version.rule.reminder_working_days
    return own if own is not None else profile.reminder_working_days


def ladder(cal: WorkCalendar, clock: Clock, profile: RuleProfile) -> dict:
    return timing.ladder_times(
        cal, clock.due_at,
        reminder_working_days=reminder_days(clock, profile),
        supervision_after_working_days=profile.supervision_after_working_days,
        circular_after_working_days=profile.circular_after_working_days)


def next_action_at(cal: WorkCalendar, clock: Clock, profile: RuleProfile,
                   fired: set[str], times: dict | None = None) -> dt.datetime | None:
    if clock.closed_at is not None or clock.state in (Clock.State.PAUSED, Clock.State.CANCELLED):
        return None
    times = times if times is not None else ladder(cal, clock, profile)
    pending = [t for kind, t in times.items()
               if t is not None and kind not in fired]
    return min(pending) if pending else None


def _fired_kinds(clock: Clock) -> set[str]:
    return set(EscalationStep.objects.filter(clock=clock).values_list("kind", flat=True))


def _profile(clock: Clock) -> RuleProfile:
    return clock.rule_version.rule.profile


def _snapshot(clock: Clock) -> dict:
    return {"label": clock.label, "state": clock.state, "due_at": clock.due_at, "provisional": clock.provisional,
            "rule_version": clock.rule_version.number, "paused_units": clock.paused_units,
            "extended_units": clock.extended_units}


def _apply_due(cal: WorkCalendar, clock: Clock, version: RuleVersion) -> None:
    try:
        if clock.set_due_on is not None:
            result = (cal.add_working_days(clock.set_due_on, clock.added_units) if clock.added_units
                      else cal.period(timing.local_date(clock.started_at), clock.set_due_on))
        else:
            result = timing.compute_due(cal, clock.started_at, version.amount, version.unit,
                                        clock.added_units)
    except OutOfRange as exc:
        raise DomainError.for_field("started_at", str(exc)) from exc
    clock.due_at = timing.end_of_day(result.date)
    clock.provisional = result.provisional
    clock.first_year, clock.last_year = result.first_year, result.last_year


# --- real-world event dates ---------------------------------------------------------------------
def event_start(*, on: dt.date | dt.datetime | None, field: str, label: str,
                not_before: dt.datetime | dt.date | None = None, not_before_label: str = "",
                required: bool = True) -> dt.datetime | None:
    """A legal clock starts at the real-world event (received on, delivered, handling finished,
    a change happened): take its date as input and check it. Not in the future, not before its
    predecessor (`not_before`). A bare date becomes the start of that day (Asia/Shanghai), or now
    when it is today, and never earlier than the predecessor; a datetime is kept as given.
    Returns None when `on` is None and not `required`.

    The entry delay (event to entry) is recorded by `start_clock` on the clock's audit event and
    shown on the clock page (`entry_delay`)."""
    if on is None:
        if required:
            raise DomainError.for_field(field, f"请填写{label}")
        return None
    now = timezone.now()
    today = timing.local_date(now)
    if isinstance(on, dt.datetime):
        if timezone.is_naive(on):
            raise DomainError.for_field(field, f"{label}须带时区（如 2026-11-20T09:30:00+08:00）")
        day, when = timing.local_date(on), on
    elif isinstance(on, dt.date):
        day, when = on, (now if on == today else timing.start_of_day(on))
    else:
        raise DomainError.for_field(field, f"{label}须为日期（如 2026-11-20）")
    if day > today or (isinstance(on, dt.datetime) and on > now + dt.timedelta(minutes=5)):
        raise DomainError.for_field(field, f"{label}（{day:%Y-%m-%d}）不能晚于今天")
    if not_before is not None:
        floor_day = not_before if not isinstance(not_before, dt.datetime) else timing.local_date(not_before)
        if day < floor_day:
            what = f"{not_before_label}（{floor_day:%Y-%m-%d}）" if not_before_label else f"{floor_day:%Y-%m-%d}"
            raise DomainError.for_field(field, f"{label}（{day:%Y-%m-%d}）不能早于{what}")
        if isinstance(not_before, dt.datetime) and not isinstance(on, dt.datetime) and when < not_before:
            when = not_before
    return when


def roll_set_date(day: dt.date) -> tuple[dt.date, str]:
    """A date a person set (a requested reply date, a meeting's deadline) that falls on a rest day is
    rolled to the next working day, with a note saying so (empty when it is a working day)."""
    cal = get_calendar()
    try:
        if cal.is_workday(day):
            return day, ""
        rolled = cal.add_working_days(day, 1).date
    except OutOfRange:
        return day, ""
    reason = cal.describe(day)[1]
    return rolled, f"所定日期 {day:%Y-%m-%d} 为{reason}，已顺延至其后第一个工作日 {rolled:%Y-%m-%d}"


def entry_delay(clock: Clock) -> dict | None:
    """Event date to entry: how late a real-world event was typed in (None when entered the same day)."""
    event, entered = timing.local_date(clock.started_at), timing.local_date(clock.created_at or timezone.now())
    if entered <= event:
        return None
    cal = get_calendar()
    try:
        working = cal.working_days_between(event, entered)
    except OutOfRange:
        working = None
    return {"event_date": event, "entered_on": entered, "days": (entered - event).days, "working_days": working}


def _locked(clock: Clock) -> Clock:
    return (Clock.objects.select_for_update(of=("self",))
            .select_related("rule_version__rule__profile", "department").get(pk=clock.pk))


def _audit(audit: list[Entry] | None, entry: Entry) -> None:
    """Write the clock's audit event now, or hand it to the caller's batch (one INSERT for a whole push)."""
    if audit is None:
        record_many([entry])
    else:
        audit.append(entry)


# start_clock and complete_clock run inside their caller's transaction without a savepoint of their own (two
# statements saved per call: a clue push starts two clocks and meets one): an error inside them fails the caller's
# transaction, which its own atomic block rolls back whole, as it should (nothing half-written).
@transaction.atomic(savepoint=False)
def start_clock(*, actor, subject, rule_key: str, department: Department, started_at: dt.datetime,
                counterpart: Department | None = None, assignee=None, label: str = "",
                due_on: dt.date | None = None, audit: list[Entry] | None = None,
                unsaved: bool = False) -> Clock | None:
    """Start the clock that `rule_key` sets for `department` on `subject`.

    `due_on` is a deadline set by whoever asked (a meeting's decision, a letter's requested
    reply date); it applies only to steps whose rule sets no fixed limit, and the rule version
    is still recorded as the basis. Returns None when the rule sets no fixed limit and no date
    was set (the step is still recorded by the caller, just not timed). `audit`: a list the caller
    writes with one `record_many` before its transaction ends, instead of an INSERT here. `unsaved`: the caller
    completes the clock at once in the same transaction (complete_clock(created_here=True), a clue pushed late or
    on time), which writes it in one INSERT instead of an INSERT and an UPDATE.
    """
    if timezone.is_naive(started_at):
        raise DomainError.for_field("started_at", "起算时间须带时区")
    rule: Rule = rule_for(department, rule_key)
    version = rule.current_version
    if due_on is not None and version.amount is not None:
        raise DomainError.for_field("due_on", f"“{rule.name}”的时限由规则规定（{version.amount}"
                                    f"{version.get_unit_display()}），不能另行指定")
    if due_on is not None and due_on < timing.local_date(started_at):
        raise DomainError.for_field("due_on", f"期限（{due_on:%Y-%m-%d}）不能早于起算日")
    if version.amount is None and due_on is None:
        return None
    rolled_note = ""
    if due_on is not None:
        due_on, rolled_note = roll_set_date(due_on)
    cal = get_calendar()
    clock = Clock(subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
                  label=label or rule.name, department=department, counterpart=counterpart,
                  assignee=assignee, rule_version=version, started_at=started_at, set_due_on=due_on)
    _apply_due(cal, clock, version)
    now = timezone.now()
    clock.state = Clock.State.RUNNING
    clock.next_action_at = next_action_at(cal, clock, rule.profile, set())
    if not unsaved:
        clock.save()
    delay = entry_delay(clock)
    after = {"label": clock.label, "rule": rule.key, "rule_version": version.number,
             "started_at": started_at, "due_at": clock.due_at,
             "provisional": clock.provisional, "department": department.code,
             "set_due_on": due_on, **({"set_due_on_note": rolled_note} if rolled_note else {}),
             "subject": f"{clock.subject_type.app_label}.{clock.subject_type.model}:{clock.subject_id}",
             "late_at_start": clock.due_at <= now,
             **({"event_date": delay["event_date"], "entered_on": delay["entered_on"],
                 "entry_delay_days": delay["days"], "entry_delay_working_days": delay["working_days"]}
                if delay else {})}
    _audit(audit, Entry(clock, "clock.started", after=after, actor=actor))
    return clock


def clocks_for(subject):
    ct = ContentType.objects.get_for_model(subject)
    return Clock.objects.filter(subject_type=ct, subject_id=str(subject.pk))


def open_clocks_for(subject, *, department: Department | None = None):
    """A subject's clocks still running or paused (a cancelled clock is closed too)."""
    qs = clocks_for(subject).filter(closed_at__isnull=True)
    return qs.filter(department=department) if department is not None else qs


def start_met_clock(*, actor, subject, rule_key: str, department: Department, started_at: dt.datetime,
                    counterpart: Department | None = None, label: str = "") -> Clock | None:
    """A duty discharged through the portal the moment it is recorded (a notice, a report back): its clock
    starts at the event the rule counts from and is met now, or recorded as late."""
    clock = start_clock(actor=actor, subject=subject, rule_key=rule_key, department=department,
                        counterpart=counterpart, started_at=started_at, label=label)
    return complete_clock(actor=actor, clock=clock, at=timezone.now()) if clock else None


@transaction.atomic(savepoint=False)
def complete_clock(*, actor, clock: Clock, at: dt.datetime | None = None, note: str = "",
                   created_here: bool = False, audit: list[Entry] | None = None) -> Clock:
    """`created_here`: the caller started this clock in the same (still open) transaction, so it holds the
    row already and the object is current; no need to re-read and lock it (a clue push meets its push clock).
    `audit`: as for start_clock."""
    if not created_here:
        clock = _locked(clock)
    if clock.closed_at is not None or clock.state == Clock.State.CANCELLED:
        raise Conflict(f"时钟“{clock.label}”已结束，不能重复办结")
    at = at or timezone.now()
    before = _snapshot(clock)
    if clock.state == Clock.State.PAUSED:
        _end_pause(get_calendar(), clock, at)
    clock.closed_at = at
    clock.state = Clock.State.MET if at <= clock.due_at else Clock.State.BREACHED
    clock.next_action_at = None
    if clock.pk is None:  # started unsaved by this caller (start_clock(unsaved=True)): one INSERT, closed
        if not created_here:
            raise ValueError("an unsaved clock is completed only by the caller that started it")
        clock.save(force_insert=True)
    else:
        clock.save(update_fields=["closed_at", "state", "next_action_at", "due_at", "paused_units",
                                  "provisional", "first_year", "last_year"])
    _audit(audit, Entry(clock, "clock.completed", before=before, reason=note, actor=actor,
                        after={**_snapshot(clock), "closed_at": at, "late": clock.state == Clock.State.BREACHED}))
    return clock


@transaction.atomic
def cancel_clock(*, actor, clock: Clock, reason: str) -> Clock:
    if not (reason or "").strip():
        raise DomainError.for_field("reason", "撤销时钟须说明理由")
    clock = _locked(clock)
    if clock.closed_at is not None or clock.state == Clock.State.CANCELLED:
        raise Conflict(f"时钟“{clock.label}”已结束")
    before = _snapshot(clock)
    clock.state, clock.closed_at, clock.next_action_at = Clock.State.CANCELLED, timezone.now(), None
    clock.save(update_fields=["state", "closed_at", "next_action_at"])
    record(actor=actor, obj=clock, action="clock.cancelled", reason=reason, before=before,
           after=_snapshot(clock))
    return clock


@transaction.atomic
def cancel_clocks_for(*, actor, subject, reason: str, department: Department | None = None,
                      rule_keys: list[str] | tuple[str, ...] | None = None) -> list[Clock]:
    """Withdrawing, cancelling or superseding something cancels every open clock that depended on
    it, each with the reason (audited per clock). Returns the clocks cancelled."""
    if not (reason or "").strip():
        raise DomainError.for_field("reason", "撤销时钟须说明理由")
    qs = open_clocks_for(subject, department=department)
    if rule_keys is not None:
        qs = qs.filter(rule_version__rule__key__in=list(rule_keys))
    return [cancel_clock(actor=actor, clock=clock, reason=reason) for clock in qs.order_by("pk")]


@transaction.atomic
def not_applicable(*, actor, clock: Clock | None, reason: str) -> Clock | None:
    """A clock whose step did not happen (the matter took another lawful path) is cancelled as
    not applicable, never counted as met."""
    if clock is None or clock.closed_at is not None:
        return clock
    return cancel_clock(actor=actor, clock=clock, reason=f"不适用：{reason}")


@transaction.atomic
def rebase_clock(*, actor, clock: Clock, rule_key: str, reason: str, label: str = "") -> Clock:
    """One step, one governing clock: when a step had several lawful paths (accept in 3 working
    days, or transfer in 5), the open clock is moved onto the rule of the path actually taken, so
    the lawful path decides met or late. Audited; fired rungs now in the future are withdrawn."""
    clock = _locked(clock)
    if clock.closed_at is not None:
        raise Conflict(f"时钟“{clock.label}”已结束")
    rule = rule_for(clock.department, rule_key)
    version = rule.current_version
    if version.amount is None:
        raise DomainError(f"“{rule.name}”不设固定时限，不能作为计时依据")
    if clock.rule_version_id == version.pk and not label:
        return clock
    cal = get_calendar()
    before = _snapshot(clock)
    clock.rule_version = version
    clock.set_due_on = None
    if label:
        clock.label = label
    _apply_due(cal, clock, version)
    if clock.state == Clock.State.BREACHED and clock.due_at > timezone.now():
        clock.state = Clock.State.RUNNING
    _reset_future_steps(cal, clock)
    if clock.state != Clock.State.PAUSED:
        clock.next_action_at = next_action_at(cal, clock, _profile(clock), _fired_kinds(clock))
    clock.save()
    record(actor=actor, obj=clock, action="clock.rebased", reason=reason, before=before,
           after={**_snapshot(clock), "rule": rule.key})
    return clock


@transaction.atomic
def pause_clock(*, actor, clock: Clock, reason: str, at: dt.datetime | None = None) -> Clock:
    """Stop the clock, e.g. while testing, appraisal or expert review is under way."""
    if not (reason or "").strip():
        raise DomainError.for_field("reason", "暂停计时须说明原因（如检验、检测、鉴定、专家评审）")
    clock = _locked(clock)
    if actor is not None:
        require_power(actor, clock.department, "clock.pause")
    if clock.state != Clock.State.RUNNING or clock.closed_at is not None:
        raise Conflict(f"只有计时中的时钟可以暂停，“{clock.label}”当前为{clock.get_state_display()}")
    if clock.rule_version.unit == Unit.MONTHS:
        raise DomainError("按月计算的周期不能暂停")
    at = at or timezone.now()
    if at < clock.started_at:
        raise DomainError.for_field("at", "暂停时间不能早于起算时间")
    before = _snapshot(clock)
    PauseSpan.objects.create(clock=clock, started_at=at, reason=reason.strip())
    clock.state, clock.next_action_at = Clock.State.PAUSED, None
    clock.save(update_fields=["state", "next_action_at"])
    record(actor=actor, obj=clock, action="clock.paused", reason=reason, before=before,
           after={**_snapshot(clock), "paused_at": at})
    return clock


def _end_pause(cal: WorkCalendar, clock: Clock, at: dt.datetime) -> PauseSpan:
    span = clock.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    if span is None:
        raise Conflict("时钟未处于暂停状态")
    if at < span.started_at:
        raise DomainError.for_field("at", "恢复时间不能早于暂停时间")
    span.ended_at = at
    span.units = timing.paused_units_between(cal, clock.rule_version.unit, span.started_at, at)
    span.save(update_fields=["ended_at", "units"])
    clock.paused_units += span.units
    _apply_due(cal, clock, clock.rule_version)
    return span


@transaction.atomic
def extend_clock(*, actor, clock: Clock, units: int, reason: str) -> Clock:
    """An approved extension (延期): only a leader of the responsible department may approve it."""
    if not isinstance(units, int) or units < 1 or units > 60:
        raise DomainError.for_field("units", "延长时限须为 1–60 的整数")
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "延期须说明理由（不少于5个字）")
    clock = _locked(clock)
    require_power(actor, clock.department, "clock.extend")
    if clock.closed_at is not None or clock.state not in (Clock.State.RUNNING, Clock.State.PAUSED):
        raise Conflict(f"“{clock.label}”当前为{clock.get_state_display()}，不能延期")
    if clock.rule_version.unit == Unit.MONTHS:
        raise DomainError("按月计算的周期不能延期")
    cal = get_calendar()
    before = _snapshot(clock)
    clock.extended_units += units
    _apply_due(cal, clock, clock.rule_version)
    if clock.state == Clock.State.RUNNING:
        _reset_future_steps(cal, clock)
        clock.next_action_at = next_action_at(cal, clock, _profile(clock), _fired_kinds(clock))
    clock.save()
    record(actor=actor, obj=clock, action="clock.extended", reason=reason.strip(), before=before,
           after={**_snapshot(clock), "approved_by": actor.username, "units": units})
    return clock


@transaction.atomic
def resume_clock(*, actor, clock: Clock, at: dt.datetime | None = None) -> Clock:
    clock = _locked(clock)
    if actor is not None:
        require_power(actor, clock.department, "clock.pause")
    if clock.state != Clock.State.PAUSED:
        raise Conflict(f"“{clock.label}”未暂停，无需恢复")
    at = at or timezone.now()
    cal = get_calendar()
    before = _snapshot(clock)
    span = _end_pause(cal, clock, at)
    clock.state = Clock.State.RUNNING
    _reset_future_steps(cal, clock)
    clock.next_action_at = next_action_at(cal, clock, _profile(clock), _fired_kinds(clock))
    clock.save()
    record(actor=actor, obj=clock, action="clock.resumed", before=before,
           after={**_snapshot(clock), "resumed_at": at, "not_counted": span.units})
    return clock


def _reset_future_steps(cal: WorkCalendar, clock: Clock) -> list[str]:
    """After a deadline moved later, rungs already fired for times now in the future are
    withdrawn (audited by the caller), so the ladder fires them again at the right time."""
    times = ladder(cal, clock, _profile(clock))
    now = timezone.now()
    stale = [s for s in clock.steps.all() if times.get(s.kind) and times[s.kind] > now]
    if stale:
        EscalationStep.objects.filter(pk__in=[s.pk for s in stale]).delete()
        if clock.state == Clock.State.BREACHED and clock.closed_at is None and clock.due_at > now:
            clock.state = Clock.State.RUNNING
    return [s.kind for s in stale]


def _recompute(cal: WorkCalendar, clock: Clock, version: RuleVersion) -> tuple[dict, dict] | None:
    before = _snapshot(clock)
    clock.rule_version = version
    _apply_due(cal, clock, version)
    if before == _snapshot(clock):
        return None
    withdrawn = _reset_future_steps(cal, clock)
    clock.next_action_at = next_action_at(cal, clock, _profile(clock), _fired_kinds(clock))
    clock.save()
    after = _snapshot(clock)
    if withdrawn:
        after["withdrawn_steps"] = withdrawn
    return before, after


@transaction.atomic
def recompute_for_calendar_year(*, actor, year: int) -> int:
    """A year was loaded or corrected: recompute open clocks whose period touches it."""
    cal = get_calendar()
    entries = []
    for clock in (Clock.objects.select_for_update(of=("self",))
                  .select_related("rule_version__rule__profile")
                  .filter(closed_at__isnull=True, first_year__lte=year, last_year__gte=year)
                  .exclude(state=Clock.State.CANCELLED)):
        change = _recompute(cal, clock, clock.rule_version)
        if change:
            entries.append(Entry(clock, "clock.recomputed", change[0], change[1],
                                 f"{year} 年工作日历载入或更正", actor))
    # A deadline computed before `year` was loaded already spans it (first_year..last_year), so
    # the range above finds every clock the change can move.
    # Closed clocks too: a deadline that was provisional is settled (暂定 cleared, or set again when a
    # year is unloaded) and the met/late judgement follows the settled date; audited like the others.
    for clock in (Clock.objects.select_for_update(of=("self",))
                  .select_related("rule_version__rule__profile")
                  .filter(closed_at__isnull=False, first_year__lte=year, last_year__gte=year)):
        before = _snapshot(clock)
        try:
            _apply_due(cal, clock, clock.rule_version)
        except DomainError:
            continue
        if clock.state in (Clock.State.MET, Clock.State.BREACHED):
            clock.state = Clock.State.MET if clock.closed_at <= clock.due_at else Clock.State.BREACHED
        if before != _snapshot(clock):
            clock.save(update_fields=["due_at", "provisional", "first_year", "last_year", "state"])
            entries.append(Entry(clock, "clock.recomputed", before, _snapshot(clock),
                                 f"{year} 年工作日历载入、更正或撤下（已办结时钟的期限定稿）", actor))
    record_many(entries)
    return len(entries)


def preview_rule_correction(rule: Rule) -> list[dict]:
    """Open clocks on an older version of `rule` and where the current version would move them."""
    cal = get_calendar()
    current = Rule.objects.select_related("current_version").get(pk=rule.pk).current_version
    rows = []
    for clock in (Clock.objects.filter(rule_version__rule=rule, closed_at__isnull=True, set_due_on__isnull=True)
                  .exclude(state=Clock.State.CANCELLED).exclude(rule_version=current)
                  .select_related("rule_version", "department").order_by("due_at")):
        if current.amount is None:
            new_due = None
        else:
            result = timing.compute_due(cal, clock.started_at, current.amount, current.unit,
                                        clock.added_units)
            new_due = timing.end_of_day(result.date)
        rows.append({"clock": clock, "old_version": clock.rule_version.number,
                     "old_due": clock.due_at, "new_due": new_due})
    return rows


@transaction.atomic
def apply_rule_correction(*, actor, rule: Rule, clock_ids: list[int], reason: str) -> int:
    """Move the chosen open clocks onto the rule's current version, explicitly and audited."""
    if not (reason or "").strip():
        raise DomainError.for_field("reason", "更正须说明理由")
    rule = Rule.objects.select_related("current_version").get(pk=rule.pk)
    current = rule.current_version
    if current.amount is None:
        raise DomainError("当前版本不设时限，无法据此更正时钟；如需停止计时请逐个撤销")
    cal = get_calendar()
    clocks = list(Clock.objects.select_for_update(of=("self",))
                  .select_related("rule_version__rule__profile")
                  .filter(pk__in=clock_ids, rule_version__rule=rule, closed_at__isnull=True,
                          set_due_on__isnull=True)
                  .exclude(Q(state=Clock.State.CANCELLED) | Q(rule_version=current)))
    if len(clocks) != len(set(clock_ids)):
        raise Conflict("所选时钟已变化（已办结、已更正或不属于该规则），请重新预览")
    entries = []
    for clock in clocks:
        before = _snapshot(clock)
        change = _recompute(cal, clock, current) or (before, _snapshot(clock))
        if not Clock.objects.filter(pk=clock.pk, rule_version=current).exists():
            clock.save(update_fields=["rule_version"])
        entries.append(Entry(clock, "clock.rule_corrected", change[0], change[1], reason, actor))
    record_many(entries)
    return len(entries)
