"""The dashboard's rollup: per day, department and mechanism, what was received, closed on time or late,
returned and disputed, and how many working days each closed clock took.

`refresh(first_day, last_day)` recomputes exactly those days from the clocks, hand-overs and disputes, and
replaces their rows in one transaction, so it can run any number of times (beat, the command, a test).
What is open at a moment is not rolled up: the dashboard counts it live (an index on the open clocks).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from casework.calendar.services import get_calendar
from casework.calendar.workcalendar import OutOfRange
from casework.clocks.models import Clock
from casework.clocks.timing import SHANGHAI, start_of_day
from casework.handoffs.models import Handoff
from supervision import mechanisms
from supervision.models import DailyFigure, MonthlyFigure, RollupRun

# Beat refreshes this many recent days each run: a clock's start date is a real-world date entered with a
# short delay, and closings are "now", so older days do not change in practice; the command rebuilds any range.
RECENT_DAYS = 45


def _bounds(first: dt.date, last: dt.date):
    return start_of_day(first), start_of_day(last + dt.timedelta(days=1))


def compute(first: dt.date, last: dt.date) -> dict[tuple, dict]:
    """{(day, department_id, mechanism): figures} for the days first..last."""
    lo, hi = _bounds(first, last)
    rows: dict[tuple, dict] = defaultdict(lambda: {"received": 0, "on_time": 0, "late": 0, "cancelled": 0,
                                                  "returns": 0, "disputes": 0, "act_days": defaultdict(int)})
    day_sh = TruncDate("started_at", tzinfo=SHANGHAI)
    for r in (Clock.objects.filter(started_at__gte=lo, started_at__lt=hi)
              .values("department_id", "rule_version__rule__key").annotate(day=day_sh).annotate(n=Count("id"))
              .values_list("day", "department_id", "rule_version__rule__key", "n")):
        day, dept, key, n = r
        rows[(day, dept, mechanisms.of_rule(key))]["received"] += n
    cal = get_calendar()
    for r in (Clock.objects.filter(closed_at__gte=lo, closed_at__lt=hi)
              .values("department_id", "rule_version__rule__key", "state")
              .annotate(day=TruncDate("closed_at", tzinfo=SHANGHAI), start=day_sh).annotate(n=Count("id"))
              .values_list("day", "start", "department_id", "rule_version__rule__key", "state", "n")):
        day, start, dept, key, state, n = r
        row = rows[(day, dept, mechanisms.of_rule(key))]
        if state == Clock.State.CANCELLED:
            row["cancelled"] += n
            continue
        row["on_time" if state == Clock.State.MET else "late"] += n
        try:
            taken = cal.working_days_between(start, day)
        except (OutOfRange, IndexError):
            taken = (day - start).days
        row["act_days"][taken] += n
    for r in (Handoff.objects.filter(state=Handoff.State.RETURNED, closed_at__gte=lo, closed_at__lt=hi)
              .values("receiver_id", "kind").annotate(day=TruncDate("closed_at", tzinfo=SHANGHAI))
              .annotate(n=Count("id")).values_list("day", "receiver_id", "kind", "n")):
        day, dept, kind, n = r
        rows[(day, dept, mechanisms.HANDOFF_KINDS.get(kind, mechanisms.OTHER))]["returns"] += n
    from referrals.models import JurisdictionDispute

    for d in (JurisdictionDispute.objects.filter(raised_at__gte=lo, raised_at__lt=hi)
              .values_list("raised_at", "first_id", "second_id")):
        day = d[0].astimezone(SHANGHAI).date()
        for dept in {d[1], d[2]}:
            rows[(day, dept, "referral")]["disputes"] += 1
    return rows


@transaction.atomic
def refresh(first: dt.date, last: dt.date) -> int:
    """Replace the rollup rows of the days first..last with freshly computed ones. Returns the rows written."""
    if last < first:
        raise ValueError("last day before first day")
    rows = compute(first, last)
    DailyFigure.objects.filter(day__gte=first, day__lte=last).delete()
    objs = [DailyFigure(day=day, department_id=dept, mechanism=mech,
                        act_days={str(k): v for k, v in sorted(f.pop("act_days").items())}, **f)
            for (day, dept, mech), f in rows.items()]
    DailyFigure.objects.bulk_create(objs, batch_size=2000)
    _refresh_months(first, last)
    run = RollupRun.objects.create(finished_at=timezone.now(), first_day=first, last_day=last, rows=len(objs))
    RollupRun.objects.filter(pk__lt=run.pk - 100).delete()  # keep the last hundred runs
    return len(objs)


FIELDS = ("received", "on_time", "late", "cancelled", "returns", "disputes")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _refresh_months(first: dt.date, last: dt.date) -> None:
    """Re-sum the whole months that overlap first..last from their days."""
    lo, hi = month_start(first), next_month(last)
    sums: dict[tuple, dict] = {}
    for row in (DailyFigure.objects.filter(day__gte=lo, day__lt=hi)
                .values_list("day", "department_id", "mechanism", *FIELDS, "act_days").iterator(chunk_size=5000)):
        key = (month_start(row[0]), row[1], row[2])
        agg = sums.setdefault(key, {**{f: 0 for f in FIELDS}, "act_days": defaultdict(int)})
        for i, f in enumerate(FIELDS):
            agg[f] += row[3 + i]
        for k, v in (row[-1] or {}).items():
            agg["act_days"][k] += v
    MonthlyFigure.objects.filter(month__gte=lo, month__lt=hi).delete()
    MonthlyFigure.objects.bulk_create([
        MonthlyFigure(month=m, department_id=d, mechanism=mech,
                      act_days=dict(sorted(a.pop("act_days").items(), key=lambda kv: int(kv[0]))), **a)
        for (m, d, mech), a in sums.items()], batch_size=2000)


def refresh_recent(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return refresh(today - dt.timedelta(days=RECENT_DAYS), today)


def rebuild(first: dt.date, last: dt.date, *, chunk_days: int = 92) -> int:
    """Rebuild a long range in chunks (each its own transaction)."""
    total, day = 0, first
    while day <= last:
        end = min(last, day + dt.timedelta(days=chunk_days - 1))
        total += refresh(day, end)
        day = end + dt.timedelta(days=1)
    return total


def last_run() -> RollupRun | None:
    return RollupRun.objects.order_by("-pk").first()
