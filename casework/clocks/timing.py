"""Deadline arithmetic for clocks: from (start, rule version, calendar, pauses) to times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from casework.calendar.workcalendar import Result, WorkCalendar
from casework.rules.models import Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 Asia/Shanghai of `day`, i.e. the first instant of the next day."""
    return start_of_day(day + dt.timedelta(days=1))


def due_date(due_at: dt.datetime) -> dt.date:
    return local_date(due_at - dt.timedelta(microseconds=1))


def format_due(due_at: dt.datetime | None) -> str:
    """The one way a deadline is written, in pages, messages, letters, the admin: "YYYY-MM-DD 24:00"
    (the last day, 24:00 Asia/Shanghai), never "00:00" of the next day."""
    return f"{due_date(due_at):%Y-%m-%d} 24:00" if due_at is not None else "—"


def compute_due(cal: WorkCalendar, started_at: dt.datetime, amount: int, unit: str,
                paused_units: int = 0) -> Result:
    start = local_date(started_at)
    if unit == Unit.WORKING_DAYS:
        return cal.add_working_days(start, amount + paused_units)
    if unit == Unit.CALENDAR_DAYS:
        return cal.add_calendar_days(start, amount + paused_units)
    if unit == Unit.MONTHS:
        # A recurring period (regular meeting, quarterly report): it ends on its own last day.
        result = cal.period_of_months(start, amount)
        if paused_units:
            later = cal.add_calendar_days(result.date, paused_units)
            return Result(later.date, result.first_year, later.last_year,
                          result.provisional or later.provisional)
        return result
    raise ValueError(f"unknown unit {unit}")


def paused_units_between(cal: WorkCalendar, unit: str, paused: dt.datetime,
                         resumed: dt.datetime) -> int:
    """Units not counted for a pause: the days after the pause day up to the resume day."""
    a, b = local_date(paused), local_date(resumed)
    if unit == Unit.WORKING_DAYS:
        return cal.working_days_between(a, b)
    return max((b - a).days, 0)


def ladder_times(cal: WorkCalendar, due_at: dt.datetime, *, reminder_working_days: int,
                 supervision_after_working_days: int,
                 circular_after_working_days: int) -> dict[str, dt.datetime | None]:
    """When each rung of the escalation ladder is due for a deadline."""
    last = due_date(due_at)
    reminder = None
    if reminder_working_days:
        anchor = last if cal.is_workday(last) else cal.subtract_working_days(last, 0)
        reminder = start_of_day(cal.subtract_working_days(anchor, reminder_working_days - 1))

    def after_breach(n: int) -> dt.datetime:
        return end_of_day(cal.add_working_days(last, n).date) if n else due_at

    return {
        "reminder": reminder,
        "breach": due_at,
        "supervision": after_breach(supervision_after_working_days),
        "circular": after_breach(circular_after_working_days),
    }
