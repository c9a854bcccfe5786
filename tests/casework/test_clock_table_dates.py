"""Table-driven tests over the clock table: for every preset and every rule with a fixed limit, start
dates around New Year, Spring Festival, Qingming, National Day and the make-up working days, and the
expected last day computed independently (day by day on the `chinese_calendar` dataset of the State
Council notices, not on the portal's calendar code). Then property tests (hypothesis) of the
calendar arithmetic itself."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import presets
from casework.calendar.services import get_calendar
from casework.calendar.workcalendar import WorkCalendar, YearData
from casework.clocks import services, timing
from casework.org.models import Department
from casework.org.services import load_org_preset
from tests.conftest import at

D = dt.date
STARTS = [
    # New Year 2026 (01-01..01-03 off; Sunday 01-04 worked)
    D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 1), D(2026, 1, 3),
    # Spring Festival 2026 (02-15..02-23 off; Saturdays 02-14 and 02-28 worked)
    D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 14), D(2026, 2, 20),
    # Qingming 2026 (04-04..04-06 off)
    D(2026, 4, 2), D(2026, 4, 3),
    # Mid-autumn and National Day 2026 (09-25..09-27, 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked)
    D(2026, 9, 19), D(2026, 9, 24), D(2026, 9, 30), D(2026, 10, 9),
]


def oracle(start: dt.date, amount: int, unit: str) -> dt.date:
    """The last day, counted one day at a time on chinese_calendar (an independent dataset)."""
    work = chinese_calendar.is_workday
    if unit == "working_days":
        day, n = start, 0
        while n < amount:
            day += dt.timedelta(days=1)
            n += work(day)
        return day
    if unit == "calendar_days":
        day = start + dt.timedelta(days=amount)
    else:  # months: the period that begins on `start` ends on its own last day
        month0 = start.month - 1 + amount
        y, m = start.year + month0 // 12, month0 % 12 + 1
        day = D(y, m, start.day) - dt.timedelta(days=1)
    while not work(day):
        day += dt.timedelta(days=1)
    return day


CASES = [(preset, rule["key"], rule["amount"], rule["unit"])
         for preset in presets.PRESETS for rule in presets.read("rules", preset)["rules"]
         if rule.get("amount") is not None]


@pytest.mark.parametrize("preset, key, amount, unit", CASES, ids=[f"{p}-{k}" for p, k, _, _ in CASES])
def test_every_rule_of_every_preset_around_the_holidays(db, preset, key, amount, unit):
    cal = get_calendar()
    for start in STARTS:
        if unit == "months" and start.day != 1:
            continue  # periods begin on the first of a month
        got = timing.compute_due(cal, timing.start_of_day(start), amount, unit).date
        assert got == oracle(start, amount, unit), (start, amount, unit)


# Hand-pinned last days for the limits the seeds use most (each a row of the table above).
PINNED = [
    ("referral.push", "luoyang", D(2026, 2, 13), D(2026, 2, 24)),      # 2 wd: Sat 02-14 (make-up), Tue 02-24
    ("referral.push", "weihai", D(2026, 9, 30), D(2026, 10, 10)),       # 3 wd: 10-08, 10-09, Sat 10-10
    ("referral.return", "zengdu", D(2025, 12, 31), D(2026, 1, 8)),      # 5 wd: 01-04 (Sun, worked), 05..08
    ("referral.result_feedback", "zengdu", D(2026, 4, 2), D(2026, 4, 17)),  # 10 wd across Qingming
    ("credit.penalty_publish", "zengdu", D(2026, 9, 28), D(2026, 10, 8)),    # 7 days → 10-05, rolled to 10-08
    ("consultation.regular_meeting", "weihai", D(2026, 7, 1), D(2026, 9, 30)),  # a quarter ends 09-30
    ("complaint.decide", "hegang", D(2026, 9, 18), D(2026, 11, 5)),     # 30 wd: 09-20 and 10-10 worked, holidays not
]


@pytest.mark.parametrize("key, preset, start, last", PINNED)
def test_pinned_rows_through_a_started_clock(db, key, preset, start, last):
    load_org_preset(preset=preset)
    dept = Department.objects.filter(jurisdiction__rule_profile__preset=preset, type="drc").first()
    clock = services.start_clock(actor=None, subject=dept, rule_key=key, department=dept,
                                 started_at=at(start.year, start.month, start.day, 10))
    assert timing.due_date(clock.due_at) == last == oracle(start, clock.rule_version.amount,
                                                           clock.rule_version.unit)


# --- properties of the arithmetic (a calendar built from chinese_calendar, 2007–2026) -----------------------
def _calendar() -> WorkCalendar:
    years = {}
    for year in range(2007, 2027):
        years[year] = YearData(
            year, holidays={d: "" for d in chinese_calendar.holidays if d.year == year and d.weekday() < 5},
            workdays={d: "" for d in chinese_calendar.workdays if d.year == year})
    return WorkCalendar(years)


CAL = _calendar()
days = st.dates(min_value=D(2007, 1, 1), max_value=D(2025, 12, 31))
amounts = st.integers(min_value=1, max_value=60)


@settings(max_examples=300, deadline=None)
@given(days, amounts)
def test_adding_then_counting_back_returns_the_start(start, n):
    end = CAL.add_working_days(start, n).date
    assert CAL.working_days_between(start, end) == n
    first_working_on_or_before = start
    while not CAL.is_workday(first_working_on_or_before):
        first_working_on_or_before -= dt.timedelta(days=1)
    assert CAL.subtract_working_days(end, n) == first_working_on_or_before


@settings(max_examples=300, deadline=None)
@given(days, amounts, st.integers(min_value=1, max_value=12))
def test_a_period_never_ends_on_a_rest_day(start, n, months):
    assert CAL.is_workday(CAL.add_working_days(start, n).date)
    assert CAL.is_workday(CAL.add_calendar_days(start, n).date)
    assert CAL.is_workday(CAL.period_of_months(start.replace(day=1), months).date)
    assert chinese_calendar.is_workday(CAL.add_working_days(start, n).date)


@settings(max_examples=300, deadline=None)
@given(days, amounts, st.integers(min_value=0, max_value=20))
def test_pausing_k_working_days_moves_the_end_by_k(start, n, k):
    end = CAL.add_working_days(start, n).date
    moved = timing.compute_due(CAL, timing.start_of_day(start), n, "working_days", paused_units=k).date
    assert CAL.working_days_between(end, moved) == k
    assert moved == (CAL.add_working_days(end, k).date if k else end)
