"""The dashboard's rollup: per day, department and mechanism, what was received, closed on time or late,
returned and disputed, and how many working days each closed clock took; for credit also the records entered,
the pushes to the credit platform and the expert-ban notices closed on time or late, the notices received and
the eligibility checks that stopped a listed bidder.

"Received" counts items, not steps: an item (a clock's subject) is received by a department in a mechanism on
the day its first clock there in that mechanism starts; its later steps (more clocks on the same item) are not
received again. Counted this way the days add up to any period.

`refresh(first_day, last_day)` recomputes exactly those days from the clocks, hand-overs and disputes, and
replaces their rows in one transaction, so it can run any number of times (beat, the command, a test).
What is open at a moment is not rolled up: the dashboard counts it live (an index on the open clocks).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
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
                                                  "returns": 0, "disputes": 0, "act_days": defaultdict(int),
                                                  **{f: 0 for f in CREDIT_FIELDS}})
    day_sh = TruncDate("started_at", tzinfo=SHANGHAI)
    for mech, versions in mechanisms.versions_by_mechanism().items():
        for day, dept, n in (first_steps(Clock.objects.filter(started_at__gte=lo, started_at__lt=hi), versions)
                             .values("department_id").annotate(day=day_sh).annotate(n=Count("id"))
                             .values_list("day", "department_id", "n")):
            rows[(day, dept, mech)]["received"] += n
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
        if key in CREDIT_CLOCKS:
            row[f"{CREDIT_CLOCKS[key]}_{'on_time' if state == Clock.State.MET else 'late'}"] += n
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
    _credit(rows, lo, hi)
    return rows


def first_step_q(versions: list[int]) -> Q:
    """Clocks (of the given rule versions, i.e. one mechanism) that are the first step of their item in their
    department: no clock of the same mechanism on the same subject in the same department started before (or at
    the same instant with a smaller id). One index probe per clock (clock_subject)."""
    earlier = Clock.objects.filter(
        subject_type_id=OuterRef("subject_type_id"), subject_id=OuterRef("subject_id"),
        department_id=OuterRef("department_id"), rule_version_id__in=versions,
    ).filter(Q(started_at__lt=OuterRef("started_at")) | Q(started_at=OuterRef("started_at"), id__lt=OuterRef("id")))
    return Q(rule_version_id__in=versions) & ~Exists(earlier)


def first_steps(clocks, versions: list[int]):
    return clocks.filter(first_step_q(versions))


# Credit (信用惩戒): the two statutory clocks counted on their own, and three things that are not clocks.
CREDIT_CLOCKS = {"credit.penalty_publish": "push", "credit.expert_ban_notify": "ban"}
CREDIT_FIELDS = ("records", "push_on_time", "push_late", "ban_notices", "ban_on_time", "ban_late", "stopped")


def _credit(rows, lo, hi) -> None:
    from credit.models import CreditRecord, EligibilityQuery, ExpertBanNotice

    def per_day(qs, field, dept_field, into):
        for day, dept, n in (qs.values(dept_field).annotate(day=TruncDate(field, tzinfo=SHANGHAI))
                             .annotate(n=Count("id")).values_list("day", dept_field, "n")):
            rows[(day, dept, "credit")][into] += n

    per_day(CreditRecord.objects.filter(created_at__gte=lo, created_at__lt=hi), "created_at", "department_id",
            "records")
    per_day(ExpertBanNotice.objects.filter(created_at__gte=lo, created_at__lt=hi), "created_at",
            "to_department_id", "ban_notices")
    per_day(EligibilityQuery.objects.filter(asked_at__gte=lo, asked_at__lt=hi, eligible=False,
                                            department__isnull=False), "asked_at", "department_id", "stopped")


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


FIELDS = ("received", "on_time", "late", "cancelled", "returns", "disputes") + CREDIT_FIELDS


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
