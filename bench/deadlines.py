"""Deadline arithmetic throughput: the portal's calendar vs counting day by day with
chinese_calendar.is_workday. Prints figures; asserts nothing about time.

    .venv/bin/python bench/deadlines.py [--n 300000] [--smoke]
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chinese_calendar  # noqa: E402

from casework.calendar.workcalendar import WorkCalendar, YearData  # noqa: E402


def official_calendar() -> WorkCalendar:
    years: dict[int, YearData] = {}
    for day, name in chinese_calendar.holidays.items():
        years.setdefault(day.year, YearData(day.year)).holidays[day] = str(name)
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            years.setdefault(day.year, YearData(day.year)).workdays[day] = str(name)
    return WorkCalendar(years)


def day_by_day(start: dt.date, n: int) -> dt.date:
    day, count = start, 0
    while count < n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            count += 1
    return day


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300_000)
    parser.add_argument("--smoke", action="store_true", help="a few thousand: checks the bench still runs")
    args = parser.parse_args()
    if args.smoke:
        args.n = 3_000
    rng = random.Random(20261121)
    t0 = time.perf_counter()
    cal = official_calendar()
    build = time.perf_counter() - t0
    base = dt.date(2005, 1, 1)
    cases = [(base + dt.timedelta(days=rng.randrange(0, 365 * 21)), rng.choice((2, 3, 5, 10, 30)))
             for _ in range(args.n)]

    t0 = time.perf_counter()
    for start, n in cases:
        cal.add_working_days(start, n)
    portal = time.perf_counter() - t0

    sample = cases[:min(20_000, args.n)]
    t0 = time.perf_counter()
    for start, n in sample:
        day_by_day(start, n)
    naive = time.perf_counter() - t0

    mismatches = sum(cal.add_working_days(s, n).date != day_by_day(s, n) for s, n in sample[:2000])
    portal_rate = args.n / portal
    naive_rate = len(sample) / naive
    print(f"calendar build (1990-2100, {len(cal.loaded_years)} official years): {build * 1000:.1f} ms")
    print(f"portal add_working_days: {portal_rate:,.0f} computations/s ({args.n:,} in {portal:.3f} s)")
    print(f"day-by-day chinese_calendar.is_workday: {naive_rate:,.0f} computations/s "
          f"({len(sample):,} in {naive:.3f} s)")
    print(f"ratio: {portal_rate / naive_rate:.1f}x faster; mismatches in 2,000 cross-checked: {mismatches}")
    print(f"target 200,000/s: {'met' if portal_rate >= 200_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
