"""'Why this date': the start, the rule and its clause, and every day skipped and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from casework.calendar.services import get_calendar
from casework.clocks import timing
from casework.clocks.models import Clock
from casework.clocks.services import entry_delay, ladder
from casework.rules.models import Unit


@dataclass
class DayLine:
    date: object
    counted: bool
    reason: str
    ordinal: int | None
    provisional: bool


def _rung_status(clock: Clock, at, step, now) -> str:
    """What became of one rung, in words: fired, skipped, past when the clock closed, or to come."""
    if step is not None:
        if step.skipped:
            return "已过期未发送（已超期）"
        return f"已于 {timezone.localtime(step.fired_at):%Y-%m-%d %H:%M} 发出"
    if at is None:
        return "不设"
    if clock.state == Clock.State.CANCELLED:
        return "时钟已撤销，不再发出"
    if clock.closed_at is not None:
        if at < clock.closed_at:
            return f"已过（{timezone.localtime(at):%Y-%m-%d %H:%M} 到点时尚未办结，办结于 " \
                   f"{timezone.localtime(clock.closed_at):%Y-%m-%d %H:%M}）"
        return "已办结，无需发出"
    if clock.state == Clock.State.PAUSED:
        return "暂停中，恢复计时后重新安排"
    return "待发出" if at <= now else "未到"


def paused_projection(cal, clock: Clock, now) -> dict | None:
    """A paused clock's stored deadline is stale: the days since the pause do not count. Where the
    deadline would be if the clock were resumed today."""
    if clock.state != Clock.State.PAUSED:
        return None
    span = clock.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    if span is None:
        return None
    so_far = timing.paused_units_between(cal, clock.rule_version.unit, span.started_at, now)
    units = clock.added_units + so_far
    if clock.set_due_on is not None:
        date = cal.add_working_days(clock.set_due_on, units).date if units else clock.set_due_on
    else:
        date = timing.compute_due(cal, clock.started_at, clock.rule_version.amount, clock.rule_version.unit,
                                  units).date
    return {"since": span.started_at, "reason": span.reason, "not_counted": so_far, "due_date": date,
            "due_at": timing.end_of_day(date)}


def explain(clock: Clock) -> dict:
    cal = get_calendar()
    now = timezone.now()
    version = clock.rule_version
    profile = version.rule.profile
    start = timing.local_date(clock.started_at)
    projection = paused_projection(cal, clock, now)
    last = projection["due_date"] if projection else timing.due_date(clock.due_at)
    pauses = list(clock.pauses.all())
    # An open pause runs to today: if the clock is resumed today, the days after today count again.
    paused_ranges = [(timing.local_date(p.started_at),
                      timing.local_date(p.ended_at) if p.ended_at else timing.local_date(now), p.reason)
                     for p in pauses]

    def pause_reason(day):
        for a, b, reason in paused_ranges:
            if a < day and (b is None or day <= b):
                return reason
        return None

    lines: list[DayLine] = []
    counted = 0
    if clock.set_due_on is not None:
        # A deadline the deciding body set: list the days added to it by pauses and extensions.
        for note in cal.days(clock.set_due_on, last):
            counted += note.counted
            lines.append(DayLine(note.date, note.counted,
                                 "暂停或延期顺延" if note.counted else f"{note.reason}，不计入",
                                 counted if note.counted else None, note.provisional))
    elif version.unit != Unit.MONTHS:
        limit = version.amount + clock.added_units
        for note in cal.days(start, last):
            paused = pause_reason(note.date)
            if paused is not None and (note.counted or version.unit == Unit.CALENDAR_DAYS):
                lines.append(DayLine(note.date, False, f"暂停计时：{paused}", None, note.provisional))
                continue
            if version.unit == Unit.WORKING_DAYS:
                is_counted = note.counted
                reason = note.reason if note.counted else f"{note.reason}，不计入"
            elif counted < limit:  # calendar days: every day counts, rest days included
                is_counted = True
                reason = note.reason
                if counted + 1 == limit and not note.counted:
                    reason = f"{note.reason}；期满日为休息日，依法顺延"
            else:
                is_counted = False
                reason = "顺延后的期满日" if note.counted else f"{note.reason}，继续顺延"
            if is_counted:
                counted += 1
            lines.append(DayLine(note.date, is_counted, reason, counted if is_counted else None,
                                 note.provisional))
    fired = {s.kind: s for s in clock.steps.all()}
    rungs = [{"kind": kind, "label": label, "at": at, "step": fired.get(kind),
              "status": _rung_status(clock, at, fired.get(kind), now)}
              for (kind, label), at in zip(
                  [("reminder", "临期提醒"), ("breach", "超期通知"), ("supervision", "督办"),
                   ("circular", "列入通报")], ladder(cal, clock, profile).values(), strict=True)]
    provisional_years = [y for y in range(clock.first_year, clock.last_year + 1)
                         if not cal.is_loaded(y)]
    return {
        "clock": clock, "version": version, "profile": profile,
        "start_date": start, "due_date": last, "days": lines, "counted": counted,
        "pauses": pauses, "ladder": rungs, "provisional_years": provisional_years,
        "skipped": [line for line in lines if not line.counted],
        "entry_delay": entry_delay(clock), "paused": projection,
    }
