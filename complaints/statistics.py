"""Periodic complaint statistics (投诉定期统计分析): reads only, like a selectors module.

The population is every complaint *received* in [since, until] (Asia/Shanghai dates) that the
actor may see. Counts are aggregated in the database; only the working days from acceptance to
decision are computed per decided complaint, on the official calendar.

Nothing here reads or returns the complainant's identity.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics as pystats

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, TruncMonth
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from casework.calendar.services import get_calendar
from casework.clocks.models import Clock
from casework.clocks.timing import SHANGHAI, local_date, start_of_day
from casework.errors import DomainError, Forbidden
from casework.exports import escape_workbook
from casework.org.models import Jurisdiction
from casework.org.selectors import scoped, supervised_jurisdiction_ids, user_departments
from complaints.models import Complaint, Grounds, TradingType

DECISION_RULE_KEYS = ("complaint.decide", "complaint.decide_procurement")

TOTAL_LABELS = {
    "received": "收到投诉",
    "accepted": "已受理",
    "refused": "不予受理",
    "transferred": "已移交有管辖权的部门",
    "redirected": "已告知向有管辖权的部门投诉",
    "decided": "已作出处理决定",
    "pending": "尚在办理",
    "awaiting_acceptance": "其中：待受理",
    "in_progress": "其中：已受理待决定",
}

S = Complaint.Status
_ACCEPTED = (S.ACCEPTED, S.DECIDED)
_PENDING = (S.SUBMITTED, S.ACCEPTED)


def _visible_complaints(user, supervised: set[int]):
    """Supervisors: their supervised jurisdictions; department staff: their own departments."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden("请先登录后查看投诉统计")
    if not user_departments(user) and not supervised:
        raise Forbidden("投诉统计仅向各部门工作人员和综合监管人员开放：您尚未加入任何单位")
    return scoped(user, Complaint.objects.all(), department_fields=("department",))


def _scope_label(user, supervised: set[int]) -> str:
    parts = []
    if supervised:
        # The roots: supervised jurisdictions whose parent is not itself supervised.
        roots = (Jurisdiction.objects.filter(id__in=supervised)
                 .exclude(parent_id__in=supervised).order_by("code"))
        parts += [f"{j.name}（含下辖区域）" for j in roots]
    parts += [d.name for d in user_departments(user)
              if not (supervised and d.jurisdiction_id in supervised)]
    return "、".join(parts)


def _choice_rows(counts: dict, choices) -> list[dict]:
    """Every choice in declaration order (zeros included), then any value not among the choices."""
    rows = [{"key": value, "label": label, "count": counts.get(value, 0)} for value, label in choices]
    known = {value for value, _ in choices}
    rows += [{"key": key, "label": key or "（未填写）", "count": n}
             for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or "")) if key not in known]
    return rows


def _count_by(qs, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def _decision_clocks():
    """Uncancelled decision clocks on the outer complaint (Clock.subject_id is text)."""
    return Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(Complaint),
        subject_id=Cast(OuterRef("pk"), output_field=CharField()),
        rule_version__rule__key__in=DECISION_RULE_KEYS,
    ).exclude(state=Clock.State.CANCELLED)


def _timeliness(decided) -> dict:
    clocks = _decision_clocks()
    # Late: a breached decision clock, or one still open whose deadline passed before the decision.
    late = clocks.filter(Q(state=Clock.State.BREACHED)
                         | Q(closed_at__isnull=True, due_at__lt=OuterRef("decided_at")))
    agg = decided.order_by().aggregate(
        decided=Count("pk"),
        timed=Count("pk", filter=Q(Exists(clocks))),
        late=Count("pk", filter=Q(Exists(late))),
    )
    on_time = agg["timed"] - agg["late"]
    return {
        "decided": agg["decided"],
        "timed": agg["timed"],
        "on_time": on_time,
        "late": agg["late"],
        "untimed": agg["decided"] - agg["timed"],
        "on_time_rate": (on_time / agg["timed"]) if agg["timed"] else None,
    }


def _working_days(decided) -> dict:
    """Working days from acceptance to decision, less the working days the decision clock was
    paused (testing, appraisal, expert review are not counted: 招标投标法实施条例 第六十一条)."""
    cal = get_calendar()
    spans, provisional = [], False
    paused = Subquery(_decision_clocks().order_by("-started_at").values("paused_units")[:1])
    for accepted_at, decided_at, not_counted in (
            decided.filter(accepted_at__isnull=False, decided_at__isnull=False).annotate(paused=paused)
            .order_by().values_list("accepted_at", "decided_at", "paused").iterator()):
        a, d = local_date(accepted_at), local_date(decided_at)
        spans.append(max(cal.working_days_between(a, d) - (not_counted or 0), 0))
        provisional = provisional or any(not cal.is_loaded(y) for y in range(a.year, d.year + 1))
    if not spans:
        return {"count": 0, "mean": None, "median": None, "max": None, "provisional": False}
    return {"count": len(spans), "mean": pystats.fmean(spans),
            "median": pystats.median(spans), "max": max(spans), "provisional": provisional}


def _months(since: dt.date, until: dt.date) -> list[str]:
    months, y, m = [], since.year, since.month
    while (y, m) <= (until.year, until.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _monthly(qs, since: dt.date, until: dt.date) -> list[dict]:
    """By month of receipt: complaints received that month, and how many of them are decided."""
    rows = (qs.order_by().annotate(month=TruncMonth("received_at", tzinfo=SHANGHAI)).values("month")
            .annotate(received=Count("pk"), decided=Count("pk", filter=Q(status=S.DECIDED))))
    found = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime) and month.tzinfo is not None:
            month = month.astimezone(SHANGHAI)
        found[f"{month.year:04d}-{month.month:02d}"] = row
    return [{"month": key, "received": found.get(key, {}).get("received", 0),
             "decided": found.get(key, {}).get("decided", 0)} for key in _months(since, until)]


def complaint_statistics(user, *, since: dt.date, until: dt.date) -> dict:
    """Statistics over the complaints received in [since, until] that `user` may see.

    Totals: `accepted` counts complaints accepted at any point (still open or since decided);
    `pending` those not yet concluded (awaiting acceptance, or accepted and awaiting decision), so
    received = refused + transferred + redirected + decided + pending.
    Timeliness: among decided complaints with an (uncancelled) decision clock, on time when the
    clock was met; late when it was breached (or, still open, had passed its deadline at decision).
    The monthly series groups by month of receipt: received that month, and of those, decided.
    """
    if since > until:
        raise DomainError.for_field("since", "开始日期不能晚于结束日期")
    supervised = supervised_jurisdiction_ids(user)
    base = _visible_complaints(user, supervised)
    qs = base.filter(received_at__gte=start_of_day(since),
                     received_at__lt=start_of_day(until + dt.timedelta(days=1)))
    # A complaint transferred to the competent department and not yet taken up there is counted as
    # transferred (the receiving department's triage), not as pending with the department that sent it.
    moved = Q(status=S.SUBMITTED, transfer_handoff__isnull=False,
              transfer_handoff__receiver_id=F("department_id"))
    totals = qs.order_by().aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=_ACCEPTED)),
        refused=Count("pk", filter=Q(status=S.REFUSED)),
        transferred=Count("pk", filter=Q(status=S.TRANSFERRED) | moved),
        redirected=Count("pk", filter=Q(status=S.REDIRECTED)),
        decided=Count("pk", filter=Q(status=S.DECIDED)),
        pending=Count("pk", filter=Q(status__in=_PENDING) & ~moved),
        awaiting_acceptance=Count("pk", filter=Q(status=S.SUBMITTED) & ~moved),
        in_progress=Count("pk", filter=Q(status=S.ACCEPTED)),
    )
    decided = qs.filter(status=S.DECIDED)

    by_department = [
        {"key": row["department_id"], "label": row["department__name"], "count": row["n"]}
        for row in qs.order_by().values("department_id", "department__name").annotate(n=Count("pk"))]
    by_department.sort(key=lambda r: (-r["count"], r["label"], r["key"]))

    return {
        "period": {"since": since, "until": until},
        "scope": _scope_label(user, supervised),
        "totals": totals,
        "total_labels": dict(TOTAL_LABELS),
        "by_trading_type": _choice_rows(_count_by(qs, "trading_type"), TradingType.choices),
        "by_department": by_department,
        "by_grounds": _choice_rows(_count_by(qs, "grounds_category"), Grounds.choices),
        "by_outcome": _choice_rows(_count_by(decided, "outcome"), Complaint.Outcome.choices),
        "by_channel": _choice_rows(_count_by(qs, "channel"), Complaint.Channel.choices),
        "timeliness": _timeliness(decided),
        "working_days": _working_days(decided),
        "monthly": _monthly(qs, since, until),
    }


# --- XLSX export --------------------------------------------------------------------------------
def _display_width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _finish_sheet(ws, *, header_row: int | None = 1) -> None:
    widths: dict[str, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), _display_width(cell.value))
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = min(max(width + 4, 10), 60)
    if header_row:
        for cell in ws[header_row]:
            if cell.value is not None:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="EDF2F7")
                cell.alignment = Alignment(horizontal="center")
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _breakdown_sheet(wb, title: str, first_header: str, rows: list[dict]) -> None:
    ws = wb.create_sheet(title)
    ws.append([first_header, "件数", "占比"])
    total = sum(r["count"] for r in rows)
    for r in rows:
        ws.append([r["label"], r["count"], (r["count"] / total) if total else None])
        ws.cell(row=ws.max_row, column=3).number_format = "0.0%"
    ws.append(["合计", total, 1 if total else None])
    last = ws.max_row
    ws.cell(row=last, column=3).number_format = "0.0%"
    for cell in ws[last]:
        cell.font = Font(bold=True)
    _finish_sheet(ws)


def statistics_xlsx(stats: dict, *, since: dt.date, until: dt.date) -> bytes:
    """The statistics as a workbook: 总览, then one sheet per breakdown and the monthly series."""
    wb = Workbook()
    ws = wb.active
    ws.title = "总览"
    ws.append(["项目", "数值"])
    ws.append(["统计期间", f"{since:%Y-%m-%d} 至 {until:%Y-%m-%d}（按收到投诉日期）"])
    ws.append(["统计范围", stats.get("scope", "")])
    labels = stats.get("total_labels", TOTAL_LABELS)
    for key, label in labels.items():
        ws.append([label, stats["totals"].get(key, 0)])
    t, w = stats["timeliness"], stats["working_days"]
    ws.append(["有处理时限的已决定投诉", t["timed"]])
    ws.append(["按期作出处理决定", t["on_time"]])
    ws.append(["超期作出处理决定", t["late"]])
    ws.append(["按期办结率", t["on_time_rate"] if t["on_time_rate"] is not None else "—"])
    if t["on_time_rate"] is not None:
        ws.cell(row=ws.max_row, column=2).number_format = "0.0%"
    ws.append(["受理至决定工作日：件数", w["count"]])
    for label, key, fmt in (("受理至决定工作日：平均", "mean", "0.0"), ("受理至决定工作日：中位数", "median", "0.0"),
                            ("受理至决定工作日：最长", "max", "0")):
        ws.append([label, w[key] if w[key] is not None else "—"])
        if w[key] is not None:
            ws.cell(row=ws.max_row, column=2).number_format = fmt
    if w.get("provisional"):
        ws.append(["说明", "部分年份的法定节假日安排尚未载入，工作日数为暂定"])
    ws.append([])
    ws.append(["投诉渠道", "件数"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in stats["by_channel"]:
        ws.append([r["label"], r["count"]])
    _finish_sheet(ws)

    _breakdown_sheet(wb, "按交易类型", "交易类型", stats["by_trading_type"])
    _breakdown_sheet(wb, "按部门", "处理部门", stats["by_department"])
    _breakdown_sheet(wb, "按投诉事由", "投诉事由", stats["by_grounds"])
    _breakdown_sheet(wb, "按处理结果", "处理结果（已作出处理决定的投诉）", stats["by_outcome"])

    ws = wb.create_sheet("按月")
    ws.append(["月份（收到投诉）", "收到投诉", "其中已作出处理决定"])
    for r in stats["monthly"]:
        ws.append([r["month"], r["received"], r["decided"]])
    ws.append(["合计", sum(r["received"] for r in stats["monthly"]), sum(r["decided"] for r in stats["monthly"])])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    _finish_sheet(ws)

    escape_workbook(wb)  # department names and labels are text, never formulas
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
