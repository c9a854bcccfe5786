"""'Why this date': the start, the rule and its clause, and every day skipped and why."""

from __future__ import annotations

from dataclasses import dataclass

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


def explain(clock: Clock) -> dict:
    cal = get_calendar()
    version = clock.rule_version
    profile = version.rule.profile
    start = timing.local_date(clock.started_at)
    last = timing.due_date(clock.due_at)
    pauses = list(clock.pauses.all())
    paused_ranges = [(timing.local_date(p.started_at),
                      timing.local_date(p.ended_at) if p.ended_at else None, p.reason) for p in pauses]

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
    rungs = [{"kind": kind, "label": label, "at": at, "step": fired.get(kind)}
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
        "entry_delay": entry_delay(clock),
    }
