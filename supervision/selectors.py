"""Reads for the dashboard, the API, the exports and the reports, all scoped by `access.scope_for`.

Period figures come from the rollup (received, closed on time / late, working days taken, returns,
disputes); what is open at the end of the period is counted live from the clocks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from casework.clocks.models import Clock
from casework.clocks.timing import start_of_day
from casework.errors import DomainError, NotFound
from casework.handoffs.models import Handoff
from casework.org.models import Department
from supervision import mechanisms
from supervision.access import Scope
from supervision.models import DailyFigure, MonthlyFigure
from supervision.periods import Period, last_quarters
from supervision.rollup import CREDIT_CLOCKS, CREDIT_FIELDS

COUNTS = ("received", "handled", "on_time", "late", "open", "open_overdue", "returns", "disputes")
METRICS = {
    "received": "收件", "handled": "办结", "on_time": "按期办结", "late": "超期办结", "open": "未办结",
    "open_overdue": "超期未办结", "returns": "退回", "disputes": "管辖争议",
}


ROLLED = ("received", "on_time", "late", "returns", "disputes", *CREDIT_FIELDS)


def median(hist: dict[int, int]) -> float | None:
    total = sum(hist.values())
    if not total:
        return None
    lo_rank, hi_rank = (total + 1) // 2, total // 2 + 1
    seen, lo = 0, None
    for value in sorted(hist):
        seen += hist[value]
        if lo is None and seen >= lo_rank:
            lo = value
        if seen >= hi_rank:
            return (lo + value) / 2
    return float(lo)


CREDIT_METRICS = {
    "records": "录入信用记录", "push_on_time": "按期报送信用平台", "push_late": "超期报送信用平台",
    "push_overdue": "逾期未报送", "ban_notices": "收到专家禁入通报", "ban_on_time": "按期确认禁入通报",
    "ban_late": "超期确认禁入通报", "ban_overdue": "逾期未确认通报", "stopped": "资格核查拦截失信主体",
}
SUMMED = ("received", "on_time", "late", "open", "open_overdue", "returns", "disputes", *CREDIT_METRICS)


@dataclass
class Row:
    department: Department | None
    mechanism: str
    received: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    open_overdue: int = 0
    returns: int = 0
    disputes: int = 0
    # credit only (see rollup.CREDIT_FIELDS); *_overdue are open at the end of the period and overdue
    records: int = 0
    push_on_time: int = 0
    push_late: int = 0
    push_overdue: int = 0
    ban_notices: int = 0
    ban_on_time: int = 0
    ban_late: int = 0
    ban_overdue: int = 0
    stopped: int = 0
    hist: dict = field(default_factory=lambda: defaultdict(int))
    departments: int = 1  # for averages: how many departments were pooled

    @property
    def handled(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.handled, 4) if self.handled else None

    @property
    def median_days(self) -> float | None:
        return median(self.hist)

    @property
    def mechanism_label(self) -> str:
        return mechanisms.LABELS.get(self.mechanism, self.mechanism)

    def add(self, other: Row) -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.hist.items():
            self.hist[k] += v

    def as_dict(self) -> dict:
        return {"department": self.department.code if self.department else None,
                "department_name": self.department.name if self.department else "合计",
                "mechanism": self.mechanism, "mechanism_name": self.mechanism_label,
                **{k: getattr(self, k) for k in COUNTS},
                "on_time_rate": self.on_time_rate, "median_working_days": self.median_days}


def period_end(period: Period, now: dt.datetime | None = None) -> dt.datetime:
    """The moment "open at the end of the period" is measured: 24:00 of its last day, or now if that is later."""
    now = now or timezone.now()
    return min(start_of_day(period.last + dt.timedelta(days=1)), now)


def _department_ids(scope: Scope, department: Department | None) -> list[int]:
    if department is not None:
        return [department.id]
    return list(scope.departments().values_list("id", flat=True))


def resolve_department(scope: Scope, code: str | None) -> Department | None:
    """A department the actor may see, by code; unknown or out of scope is a 404 (not told it exists)."""
    if not code:
        return None
    dept = Department.objects.filter(code=code.strip()).select_related("jurisdiction").first()
    if dept is None or not scope.sees(dept):
        raise NotFound("未找到该单位。")
    return dept


def check_mechanism(code: str | None) -> str | None:
    if not code:
        return None
    if code not in mechanisms.CODES:
        raise DomainError.for_field("mechanism", f"未知的机制“{code[:20]}”，可选：{'、'.join(mechanisms.CODES)}")
    return code


def _figure_sources(period: Period, dept_ids: list[int]) -> list:
    """The rollup rows that make up a period: whole months from the monthly table, the partial months at either
    end from the daily one."""
    from supervision.rollup import month_start, next_month

    first_full = period.first if period.first.day == 1 else next_month(period.first)
    after_last = period.last + dt.timedelta(days=1)
    end_full = month_start(after_last)  # months before this one are whole within the period
    if first_full >= end_full:
        return [DailyFigure.objects.filter(day__gte=period.first, day__lte=period.last, department_id__in=dept_ids)]
    sources = [MonthlyFigure.objects.filter(month__gte=first_full, month__lt=end_full, department_id__in=dept_ids)]
    if period.first < first_full:
        sources.append(DailyFigure.objects.filter(day__gte=period.first, day__lt=first_full,
                                                  department_id__in=dept_ids))
    if end_full <= period.last:
        sources.append(DailyFigure.objects.filter(day__gte=end_full, day__lte=period.last,
                                                  department_id__in=dept_ids))
    return sources


def compute_rows(dept_ids: list[int], period: Period, *, mechanism: str | None = None,
                 with_median: bool = True) -> dict[tuple, Row]:
    """{(department_id, mechanism): Row} for the given departments."""
    rows: dict[tuple, Row] = {}

    def row(dept_id, mech) -> Row:
        key = (dept_id, mech)
        if key not in rows:
            rows[key] = Row(department=None, mechanism=mech)
        return rows[key]

    for qs in _figure_sources(period, dept_ids):
        if mechanism:
            qs = qs.filter(mechanism=mechanism)
        if not with_median:  # sums only: let the database add them up
            for f in (qs.values("department_id", "mechanism").annotate(**{f"s_{n}": Sum(n) for n in ROLLED})
                      .values_list("department_id", "mechanism", *(f"s_{n}" for n in ROLLED))):
                r = row(f[0], f[1])
                for i, name in enumerate(ROLLED, start=2):
                    setattr(r, name, getattr(r, name) + f[i])
            continue
        for f in qs.values_list("department_id", "mechanism", *ROLLED, "act_days"):
            r = row(f[0], f[1])
            for i, name in enumerate(ROLLED, start=2):
                setattr(r, name, getattr(r, name) + f[i])
            for k, v in (f[-1] or {}).items():
                r.hist[int(k)] += v
    end = period_end(period)
    versions = mechanisms.version_map()
    credit_versions = {vid: f"{prefix}_overdue" for key, prefix in CREDIT_CLOCKS.items()
                       for vid in mechanisms.rule_version_ids(key)} if mechanism in (None, "credit") else {}
    # Open at `end`: never closed, or closed after it. Two index scans (the open clocks' partial index; closed_at)
    # rather than one OR over every clock.
    parts = [Clock.objects.filter(department_id__in=dept_ids, closed_at__isnull=True, started_at__lt=end)]
    if end < timezone.now():
        parts.append(Clock.objects.filter(department_id__in=dept_ids, closed_at__gte=end, started_at__lt=end))
    for live in parts:
        if mechanism:
            live = live.filter(rule_version_id__in=mechanisms.version_ids(mechanism))
        for dept_id, vid, n, overdue in (live.values("department_id", "rule_version_id")
                                         .annotate(n=Count("due_at"), overdue=Count("due_at", filter=Q(due_at__lt=end)))
                                         .values_list("department_id", "rule_version_id", "n", "overdue")):
            r = row(dept_id, versions.get(vid, mechanisms.OTHER))
            r.open += n
            r.open_overdue += overdue
            if vid in credit_versions:
                setattr(r, credit_versions[vid], getattr(r, credit_versions[vid]) + overdue)
    return rows


def _attach(rows: dict[tuple, Row]) -> list[Row]:
    depts = Department.objects.in_bulk({k[0] for k in rows})
    order = {m: i for i, m in enumerate(mechanisms.CODES + (mechanisms.OTHER,))}
    out = []
    for (dept_id, _mech), r in rows.items():
        r.department = depts[dept_id]
        out.append(r)
    out.sort(key=lambda r: (r.department.jurisdiction_id, r.department.code, order.get(r.mechanism, 99)))
    return out


@dataclass
class Dashboard:
    period: Period
    rows: list[Row]
    totals: list[Row]          # per mechanism, over the rows shown
    total: Row                 # everything shown
    averages: list[Row]        # per mechanism, per department of the jurisdiction (for department leaders)
    measured_at: dt.datetime


def dashboard(scope: Scope, period: Period, *, department: Department | None = None,
              mechanism: str | None = None, with_median: bool = True) -> Dashboard:
    rows = _attach(compute_rows(_department_ids(scope, department), period, mechanism=mechanism,
                                with_median=with_median))
    totals: dict[str, Row] = {}
    total = Row(department=None, mechanism="all")
    for r in rows:
        totals.setdefault(r.mechanism, Row(department=None, mechanism=r.mechanism)).add(r)
        total.add(r)
    averages: list[Row] = []
    if scope.average_jurisdiction_ids and not scope.is_supervisor:
        averages = city_averages(scope, period, mechanism=mechanism) if with_median else []
    order = {m: i for i, m in enumerate(mechanisms.CODES)}
    return Dashboard(period, rows, sorted(totals.values(), key=lambda r: order.get(r.mechanism, 99)), total,
                     averages, period_end(period))


def city_averages(scope: Scope, period: Period, *, mechanism: str | None = None) -> list[Row]:
    """Per mechanism: the average department of the jurisdiction (counts divided by the departments active in
    that mechanism; the on-time rate and median pooled over the whole jurisdiction)."""
    ids = list(Department.objects.filter(jurisdiction_id__in=scope.average_jurisdiction_ids)
               .values_list("id", flat=True))
    pooled: dict[str, Row] = {}
    active: dict[str, int] = defaultdict(int)
    for (_dept, mech), r in compute_rows(ids, period, mechanism=mechanism).items():
        pooled.setdefault(mech, Row(department=None, mechanism=mech)).add(r)
        active[mech] += 1
    out = []
    for mech in mechanisms.CODES + (mechanisms.OTHER,):
        if mech not in pooled:
            continue
        p, n = pooled[mech], active[mech]
        avg = Row(department=None, mechanism=mech, departments=n, hist=p.hist)
        for name in SUMMED:
            setattr(avg, name, round(getattr(p, name) / n, 1))
        avg.pooled_rate = p.on_time_rate
        out.append(avg)
    return out


def trend(scope: Scope, period: Period, *, department: Department | None = None,
          mechanism: str | None = None, quarters: int = 8) -> list[dict]:
    """The last `quarters` quarters up to the period's end: received, handled, on time, late, on-time rate."""
    qs_list = last_quarters(period, quarters)
    figures = MonthlyFigure.objects.filter(month__gte=qs_list[0].first, month__lte=qs_list[-1].last,
                                           department_id__in=_department_ids(scope, department))
    if mechanism:
        figures = figures.filter(mechanism=mechanism)
    got = {(r["y"], r["q"]): r for r in figures.annotate(y=ExtractYear("month"), q=ExtractQuarter("month"))
           .values("y", "q").annotate(received=Sum("received"), on_time=Sum("on_time"), late=Sum("late"))}
    out = []
    for q in qs_list:
        r = got.get((q.first.year, (q.first.month - 1) // 3 + 1), {})
        on_time, late = r.get("on_time") or 0, r.get("late") or 0
        out.append({"quarter": f"{q.first.year}Q{(q.first.month - 1) // 3 + 1}", "from": q.first, "to": q.last,
                    "received": r.get("received") or 0, "handled": on_time + late, "on_time": on_time,
                    "late": late, "on_time_rate": round(on_time / (on_time + late), 4) if on_time + late else None})
    return out


# --- drill-down -------------------------------------------------------------------------------
def _mechanism_clocks(qs, mechanism: str | None):
    if not mechanism:
        return qs
    if mechanism == mechanisms.OTHER:
        return qs.exclude(rule_version_id__in=[v for v, m in mechanisms.version_map().items()
                                               if m != mechanisms.OTHER])
    return qs.filter(rule_version_id__in=mechanisms.version_ids(mechanism))


# credit metrics that are clocks of one rule: metric -> (rule key, the clock metric it filters)
CREDIT_CLOCK_METRICS = {f"{prefix}_{m}": (key, {"overdue": "open_overdue"}.get(m, m))
                        for key, prefix in CREDIT_CLOCKS.items() for m in ("on_time", "late", "overdue")}


def drill_clocks(dept_ids: list[int], period: Period, metric: str, mechanism: str | None):
    lo, hi = start_of_day(period.first), start_of_day(period.last + dt.timedelta(days=1))
    qs = Clock.objects.filter(department_id__in=dept_ids)
    if metric in CREDIT_CLOCK_METRICS:
        key, metric = CREDIT_CLOCK_METRICS[metric]
        qs, mechanism = qs.filter(rule_version_id__in=mechanisms.rule_version_ids(key)), None
    order = "due_at"
    if metric == "received":
        from functools import reduce
        from operator import or_

        from supervision.rollup import first_step_q

        groups = mechanisms.versions_by_mechanism()
        wanted = [groups.get(mechanism, [])] if mechanism else list(groups.values())
        wanted = [v for v in wanted if v]
        qs = qs.filter(reduce(or_, (first_step_q(v) for v in wanted))) if wanted else qs.none()
        qs, order, mechanism = qs.filter(started_at__gte=lo, started_at__lt=hi), "started_at", None
    elif metric in ("handled", "on_time", "late"):
        states = {"handled": [Clock.State.MET, Clock.State.BREACHED], "on_time": [Clock.State.MET],
                  "late": [Clock.State.BREACHED]}[metric]
        qs, order = qs.filter(closed_at__gte=lo, closed_at__lt=hi, state__in=states), "closed_at"
    elif metric in ("open", "open_overdue"):
        end = period_end(period)
        open_now = Q(closed_at__isnull=True)
        qs = qs.filter(started_at__lt=end).filter(open_now | Q(closed_at__gte=end) if end < timezone.now()
                                                  else open_now)
        if metric == "open_overdue":
            qs = qs.filter(due_at__lt=end)
    else:
        raise DomainError.for_field("metric", f"未知的统计项“{metric[:20]}”")
    return (_mechanism_clocks(qs, mechanism)
            .select_related("department", "assignee", "subject_type")
            .order_by(order, "id"))


def drill_returns(dept_ids: list[int], period: Period, mechanism: str | None):
    lo, hi = start_of_day(period.first), start_of_day(period.last + dt.timedelta(days=1))
    qs = Handoff.objects.filter(state=Handoff.State.RETURNED, receiver_id__in=dept_ids,
                                closed_at__gte=lo, closed_at__lt=hi)
    if mechanism:
        qs = qs.filter(kind__in=[k for k, m in mechanisms.HANDOFF_KINDS.items() if m == mechanism])
    return qs.select_related("sender", "receiver").order_by("-closed_at")


def drill_disputes(dept_ids: list[int], period: Period, mechanism: str | None):
    from referrals.models import JurisdictionDispute

    lo, hi = start_of_day(period.first), start_of_day(period.last + dt.timedelta(days=1))
    qs = JurisdictionDispute.objects.filter(Q(first_id__in=dept_ids) | Q(second_id__in=dept_ids),
                                            raised_at__gte=lo, raised_at__lt=hi)
    if mechanism and mechanism != "referral":
        qs = qs.none()
    return qs.select_related("clue", "first", "second", "designated").order_by("-raised_at")


def drill_credit(dept_ids: list[int], period: Period, metric: str):
    """The credit items behind a figure that is not a clock: records entered, expert-ban notices received,
    eligibility checks that stopped a listed subject."""
    from credit.models import CreditRecord, EligibilityQuery, ExpertBanNotice

    lo, hi = start_of_day(period.first), start_of_day(period.last + dt.timedelta(days=1))
    if metric == "records":
        return (CreditRecord.objects.filter(department_id__in=dept_ids, created_at__gte=lo, created_at__lt=hi)
                .select_related("subject", "department").order_by("-created_at", "-id"))
    if metric == "ban_notices":
        return (ExpertBanNotice.objects.filter(to_department_id__in=dept_ids, created_at__gte=lo, created_at__lt=hi)
                .select_related("record__subject", "record__department", "to_department")
                .order_by("-created_at", "-id"))
    if metric == "stopped":
        return (EligibilityQuery.objects.filter(department_id__in=dept_ids, eligible=False, asked_at__gte=lo,
                                                asked_at__lt=hi)
                .select_related("department", "asked_by").order_by("-asked_at", "-id"))
    raise DomainError.for_field("metric", f"未知的统计项“{metric[:20]}”")


# The drill-down's count is the figure the user clicked, read from the rollup (counting the items again, e.g. an
# item's first steps over a quarter at a million clocks, takes seconds); what is open is counted live anyway.
ROLLUP_COUNTS = {"received": ("received",), "handled": ("on_time", "late"), "on_time": ("on_time",),
                 "late": ("late",), "push_on_time": ("push_on_time",), "push_late": ("push_late",),
                 "ban_on_time": ("ban_on_time",), "ban_late": ("ban_late",)}


def figure_count(dept_ids: list[int], period: Period, metric: str, mechanism: str | None) -> int | None:
    """The rollup's figure behind a drill-down, or None when the metric is not rolled up."""
    fields = ROLLUP_COUNTS.get(metric)
    if fields is None:
        return None
    if metric.startswith(("push_", "ban_")):
        mechanism = "credit"
    total = 0
    for qs in _figure_sources(period, dept_ids):
        if mechanism:
            qs = qs.filter(mechanism=mechanism)
        got = qs.aggregate(**{f: Sum(f) for f in fields})
        total += sum(v or 0 for v in got.values())
    return total


def drill_order(metric: str) -> str:
    """The indexed time a clock drill-down is ordered (and paged) by."""
    metric = CREDIT_CLOCK_METRICS.get(metric, (None, metric))[1]
    return {"received": "started_at", "handled": "closed_at", "on_time": "closed_at",
            "late": "closed_at"}.get(metric, "due_at")
