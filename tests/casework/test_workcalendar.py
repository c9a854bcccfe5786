"""The pure working-day arithmetic, on a small hand-made calendar and on the official one."""

import datetime as dt

import chinese_calendar
import pytest

from casework.calendar.workcalendar import OutOfRange, WorkCalendar, YearData

D = dt.date

# 2026 National Day as published: 10-01..10-07 (and 10-08) off, Sunday 09-20 and Saturday 10-10 worked.
Y2026 = YearData(2026, holidays={D(2026, 10, d): "国庆节" for d in range(1, 9)},
                 workdays={D(2026, 9, 20): "国庆节", D(2026, 10, 10): "国庆节"})
CAL = WorkCalendar({2026: Y2026})


def test_starting_day_is_not_counted():
    # Monday 2026-11-16 + 1 working day = Tuesday.
    assert CAL.add_working_days(D(2026, 11, 16), 1).date == D(2026, 11, 17)


def test_weekends_are_skipped():
    # Thursday + 3 working days: Fri, Mon, Tue.
    assert CAL.add_working_days(D(2026, 11, 19), 3).date == D(2026, 11, 24)


def test_starting_on_a_weekend_counts_from_monday():
    assert CAL.add_working_days(D(2026, 11, 21), 1).date == D(2026, 11, 23)


def test_holidays_are_skipped_and_make_up_saturday_counts():
    # Wed 09-30 + 1 = Fri 10-09 (10-01..10-08 off); +2 = Sat 10-10 (make-up working day).
    assert CAL.add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 9)
    assert CAL.add_working_days(D(2026, 9, 30), 2).date == D(2026, 10, 10)
    assert CAL.add_working_days(D(2026, 9, 30), 3).date == D(2026, 10, 12)


def test_make_up_sunday_counts():
    # Sat 09-19 + 1 = Sun 09-20, a make-up working day.
    assert CAL.add_working_days(D(2026, 9, 19), 1).date == D(2026, 9, 20)


def test_calendar_days_roll_forward_off_a_rest_day():
    # 09-24 + 7 calendar days = 10-01 (holiday) -> first working day after: 10-09.
    assert CAL.add_calendar_days(D(2026, 9, 24), 7).date == D(2026, 10, 9)
    # 11-16 + 3 = Thursday 11-19: a working day, no roll.
    assert CAL.add_calendar_days(D(2026, 11, 16), 3).date == D(2026, 11, 19)
    # 11-18 + 3 = Saturday 11-21 -> Monday 11-23.
    assert CAL.add_calendar_days(D(2026, 11, 18), 3).date == D(2026, 11, 23)


def test_months_clamp_to_month_end_and_roll_forward():
    assert CAL.add_months(D(2026, 8, 31), 1).date == D(2026, 9, 30)
    # 2026-04-01 + 6 months = 10-01 (holiday) -> 10-09.
    assert CAL.add_months(D(2026, 4, 1), 6).date == D(2026, 10, 9)


def test_unloaded_year_is_weekends_only_and_provisional():
    result = CAL.add_working_days(D(2026, 12, 30), 3)
    # 12-31 (Thu), 2027-01-01 (Fri, not known as a holiday yet), 01-04 (Mon).
    assert result.date == D(2027, 1, 4)
    assert result.provisional
    assert (result.first_year, result.last_year) == (2026, 2027)
    assert not CAL.add_working_days(D(2026, 11, 2), 3).provisional


def test_working_days_between_and_subtract():
    assert CAL.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 3
    assert CAL.working_days_between(D(2026, 10, 12), D(2026, 10, 12)) == 0
    assert CAL.subtract_working_days(D(2026, 10, 12), 2) == D(2026, 10, 9)


def test_days_explains_each_day():
    notes = CAL.days(D(2026, 9, 30), D(2026, 10, 10))
    reasons = {n.date: (n.counted, n.reason) for n in notes}
    assert reasons[D(2026, 10, 1)] == (False, "法定节假日（国庆节）")
    assert reasons[D(2026, 10, 10)] == (True, "调休上班（国庆节）")
    assert reasons[D(2026, 10, 9)] == (True, "工作日")


def test_bad_input():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2026, 1, 1), 0)
    with pytest.raises(OutOfRange):
        CAL.add_working_days(D(1900, 1, 1), 1)


def test_agrees_with_chinese_calendar_day_by_day():
    """Every year the package knows, every start day of a sample, N = 1..30."""
    years = {}
    for day, name in chinese_calendar.holidays.items():
        years.setdefault(day.year, YearData(day.year)).holidays[day] = str(name)
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            years.setdefault(day.year, YearData(day.year)).workdays[day] = str(name)
    cal = WorkCalendar(years)
    start = D(2005, 1, 1)
    for offset in range(0, 365 * 21, 11):
        day = start + dt.timedelta(days=offset)
        for n in (1, 2, 3, 5, 10, 30):
            expected, count, probe = None, 0, day
            while count < n:
                probe += dt.timedelta(days=1)
                if chinese_calendar.is_workday(probe):
                    count += 1
            expected = probe
            assert cal.add_working_days(day, n).date == expected, (day, n)
