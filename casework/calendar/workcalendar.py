"""Working-day arithmetic on the official PRC calendar. Pure Python, no database.

Counting follows national law (see shared/RULES.md): the starting day is not counted;
"N 个工作日" counts official working days only; "N 日" counts calendar days and, when the
last day is a rest day, rolls forward to the next working day. A year that is not loaded
falls back to weekends-only and everything computed from it is *provisional*.

Lookups are O(log n): the working days of the whole supported span are one sorted array of
ordinals, so adding N working days is a single bisect.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

FIRST_YEAR = 1990
LAST_YEAR = 2100


class OutOfRange(ValueError):
    pass


@dataclass(frozen=True)
class YearData:
    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)   # rest days (weekday or not)
    workdays: dict[dt.date, str] = field(default_factory=dict)   # make-up working days


@dataclass(frozen=True)
class DayNote:
    date: dt.date
    counted: bool
    reason: str          # e.g. "工作日", "周末", "法定节假日：春节", "调休上班：春节"
    provisional: bool


class Result(NamedTuple):
    date: dt.date        # last day of the period; the period ends 24:00 of this day
    first_year: int
    last_year: int
    provisional: bool


class WorkCalendar:
    def __init__(self, years: dict[int, YearData]):
        self.years = dict(years)
        self.loaded_years = frozenset(self.years)
        self._holidays: dict[int, str] = {}
        self._workdays: dict[int, str] = {}
        for data in self.years.values():
            self._holidays.update({d.toordinal(): n for d, n in data.holidays.items()})
            self._workdays.update({d.toordinal(): n for d, n in data.workdays.items()})
        self._first = dt.date(FIRST_YEAR, 1, 1).toordinal()
        self._last = dt.date(LAST_YEAR, 12, 31).toordinal()
        self._working = [o for o in range(self._first, self._last + 1) if self._is_working(o)]
        self._min_start = self._first
        self._max_start = dt.date(LAST_YEAR - 1, 12, 31).toordinal()

    # --- single days ---------------------------------------------------------------------
    def _is_working(self, ordinal: int) -> bool:
        if ordinal in self._workdays:
            return True
        if ordinal in self._holidays:
            return False
        return dt.date.fromordinal(ordinal).weekday() < 5

    def is_workday(self, day: dt.date) -> bool:
        self._check(day)
        return self._is_working(day.toordinal())

    def is_loaded(self, year: int) -> bool:
        return year in self.loaded_years

    def describe(self, day: dt.date) -> tuple[bool, str]:
        o = day.toordinal()
        if o in self._workdays:
            return True, f"调休上班（{self._workdays[o]}）" if self._workdays[o] else "调休上班"
        if o in self._holidays:
            return False, f"法定节假日（{self._holidays[o]}）" if self._holidays[o] else "法定节假日"
        if day.weekday() >= 5:
            return False, "周末"
        return True, "工作日"

    # --- periods -------------------------------------------------------------------------
    def add_working_days(self, start: dt.date, n: int) -> Result:
        """The Nth official working day after `start` (start itself not counted)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        o = start.toordinal()
        if not self._min_start <= o <= self._max_start:
            self._check(start)
        i = bisect.bisect_right(self._working, o) + n - 1
        if i >= len(self._working):
            raise OutOfRange(f"beyond {LAST_YEAR}")
        end = dt.date.fromordinal(self._working[i])
        return self._result(start, end)

    def add_calendar_days(self, start: dt.date, n: int) -> Result:
        """N calendar days after `start`; a last day that is a rest day rolls forward."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._check(start)
        o = start.toordinal() + n
        if not self._is_working(o):
            o = self._working[bisect.bisect_right(self._working, o)]
        return self._result(start, dt.date.fromordinal(o))

    def add_months(self, start: dt.date, n: int) -> Result:
        """Same day N months later (clamped to month end); a rest day rolls forward."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._check(start)
        month0 = start.month - 1 + n
        year, month = start.year + month0 // 12, month0 % 12 + 1
        next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
        day = min(start.day, (next_month - dt.timedelta(days=1)).day)
        o = dt.date(year, month, day).toordinal()
        if not self._is_working(o):
            o = self._working[bisect.bisect_right(self._working, o)]
        return self._result(start, dt.date.fromordinal(o))

    def period_of_months(self, start: dt.date, n: int) -> Result:
        """The last day of the N-month period that begins on `start` (a calendar period such as
        2026年度 or 2026年下半年 includes its first day): the day before the same date N months later,
        e.g. 12-31 or 06-30. Rolled forward to the next working day only if that is a rest day."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._check(start)
        month0 = start.month - 1 + n
        year, month = start.year + month0 // 12, month0 % 12 + 1
        next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
        day = min(start.day, (next_month - dt.timedelta(days=1)).day)
        o = dt.date(year, month, day).toordinal() - 1
        if not self._is_working(o):
            o = self._working[bisect.bisect_right(self._working, o)]
        return self._result(start, dt.date.fromordinal(o))

    def working_days_between(self, after: dt.date, upto: dt.date) -> int:
        """Working days d with after < d <= upto."""
        if upto <= after:
            return 0
        return (bisect.bisect_right(self._working, upto.toordinal())
                - bisect.bisect_right(self._working, after.toordinal()))

    def subtract_working_days(self, end: dt.date, n: int) -> dt.date:
        """The working day N working days before the working day `end` (n=0: `end`)."""
        i = bisect.bisect_left(self._working, end.toordinal()) - n
        return dt.date.fromordinal(self._working[max(i, 0)])

    def days(self, after: dt.date, upto: dt.date) -> list[DayNote]:
        """Every day in (after, upto] with whether it counts as a working day and why."""
        notes = []
        for o in range(after.toordinal() + 1, upto.toordinal() + 1):
            day = dt.date.fromordinal(o)
            counted, reason = self.describe(day)
            notes.append(DayNote(day, counted, reason, day.year not in self.loaded_years))
        return notes

    def period(self, start: dt.date, end: dt.date) -> Result:
        """A period fixed by a decision (not computed): `end` as given, with the years it spans."""
        self._check(start)
        self._check(end)
        return self._result(start, end)

    # --- helpers -------------------------------------------------------------------------
    def _check(self, day: dt.date) -> None:
        if not (FIRST_YEAR <= day.year <= LAST_YEAR - 1):
            raise OutOfRange(f"日期 {day} 超出日历支持范围（{FIRST_YEAR}–{LAST_YEAR - 1}）")

    def _result(self, start: dt.date, end: dt.date) -> Result:
        first, last = start.year, end.year
        if first == last:
            provisional = first not in self.loaded_years
        else:
            provisional = any(y not in self.loaded_years for y in range(first, last + 1))
        return Result(end, first, last, provisional)
