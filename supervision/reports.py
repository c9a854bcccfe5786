"""The quarterly report (Pingdingshan 二(四)18): each quarter the `supervision.report` clock runs for the office;
the portal drafts the report from every department's and mechanism's figures, the office edits, its leader signs
off, and issuing sends the PDF to the committee and every member unit with the XLSX of its tables and completes
the clock. `draft_files` writes the draft PDF and XLSX without issuing (the `supervision_report` command)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from casework.clocks import services as clock_services
from casework.clocks.models import Clock
from casework.clocks.timing import due_date, start_of_day
from casework.errors import Conflict, DomainError, NotFound
from casework.events.services import record
from casework.letters import render
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import descendant_jurisdiction_ids
from supervision import exports, periods
from supervision import selectors as sel
from supervision.access import Scope
from supervision.models import QuarterlyReport, SupervisionNotice
from supervision.services import _office_for, _office_leader, _raise, _text, member_units, refresh_for_document
from supervision.templatetags.supervision_tags import pct


def period_of(report: QuarterlyReport) -> periods.Period:
    return periods.quarter_of(dt.date(report.year, 3 * report.quarter - 2, 1))


def office_scope(office: Department) -> Scope:
    return Scope(jurisdiction_ids=descendant_jurisdiction_ids({office.jurisdiction_id}), offices=[office])


def committee_name(office: Department) -> str:
    return f"{office.jurisdiction.name}公共资源交易管理委员会"


@transaction.atomic
def open_report(*, office: Department, period: periods.Period, actor=None) -> QuarterlyReport:
    """The report for `period` and its clock, which starts the day after the quarter ends (idempotent)."""
    q = (period.first.month - 1) // 3 + 1
    report, _ = QuarterlyReport.objects.select_for_update().get_or_create(
        office=office, year=period.first.year, quarter=q)
    if report.clock_id is None:
        clock = clock_services.start_clock(
            actor=actor, subject=report, rule_key="supervision.report", department=office,
            started_at=start_of_day(period.last + dt.timedelta(days=1)), label=f"{period.label}监管工作情况报告")
        if clock is not None:
            report.clock = clock
            report.save(update_fields=["clock"])
    return report


def open_due_reports(today: dt.date | None = None) -> int:
    """Beat: every supervision office gets the report (and clock) for the quarter that just ended."""
    today = today or timezone.localdate()
    last_quarter = periods.previous_quarter(periods.quarter_of(today))
    n = 0
    for office in Department.objects.filter(is_supervision_office=True, active=True):
        report = open_report(office=office, period=last_quarter)
        n += report.clock_id is not None
    return n


def build_data(office: Department, period: periods.Period) -> dict:
    """The report's figures as of drafting: totals, each mechanism, each department, late departments, notable
    cases and the 8-quarter trend. JSON-ready (stored with the report, so the issued PDF and XLSX agree)."""
    refresh_for_document(period)
    scope = office_scope(office)
    board = sel.dashboard(scope, period)
    per: dict[str, dict] = {}
    for r in board.rows:
        d = per.setdefault(r.department.code, {"code": r.department.code, "name": r.department.name,
                                               "received": 0, "handled": 0, "on_time": 0, "late": 0, "open": 0,
                                               "open_overdue": 0})
        for k in ("received", "handled", "on_time", "late", "open", "open_overdue"):
            d[k] += getattr(r, k)
    for d in per.values():
        d["on_time_rate"] = round(d["on_time"] / d["handled"], 4) if d["handled"] else None
    end = sel.period_end(period)
    notable = (Clock.objects.filter(department__jurisdiction_id__in=scope.jurisdiction_ids, started_at__lt=end,
                                    closed_at__isnull=True, due_at__lt=end)
               .select_related("department").order_by("due_at")[:10])
    from django.db.models import prefetch_related_objects

    notable = list(notable)
    prefetch_related_objects(notable, "subject")
    notices = SupervisionNotice.objects.filter(office=office, issued_at__gte=start_of_day(period.first),
                                               issued_at__lt=start_of_day(period.last + dt.timedelta(days=1)))
    return {
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat(), "label": period.label},
        "total": board.total.as_dict(),
        "mechanisms": [t.as_dict() for t in board.totals],
        "rows": [r.as_dict() for r in board.rows],
        "departments": sorted(per.values(), key=lambda d: d["code"]),
        "late_departments": sorted([d for d in per.values() if d["late"] or d["open_overdue"]],
                                   key=lambda d: (-d["open_overdue"], -d["late"], d["code"])),
        "notable": [{"department": c.department.name, "item": str(c.subject or c.label), "step": c.label,
                     "due": f"{due_date(c.due_at):%Y-%m-%d} 24:00",
                     "reference": getattr(c.subject, "reference", "") or ""} for c in notable],
        "credit": [{"code": r.department.code, "name": r.department.name,
                    **{k: getattr(r, k) for k in sel.CREDIT_METRICS}} for r in board.rows if r.mechanism == "credit"],
        "notices": {"issued": notices.count(),
                    "replied": notices.filter(state=SupervisionNotice.State.REPLIED).count()},
        "trend": [{**t, "from": t["from"].isoformat(), "to": t["to"].isoformat()}
                  for t in sel.trend(scope, period)],
    }


def draft_paragraphs(office: Department, data: dict) -> tuple[str, list[str]]:
    t, label = data["total"], data["period"]["label"]
    name = office.jurisdiction.name
    paras = [f"根据《关于进一步加强公共资源交易协同监管的实施意见》等规定，现将{label}{name}各行政监督部门开展"
             "公共资源交易协同监管工作的情况报告如下。",
             f"一、总体情况。本季度各单位共收到限时办理事项{t['received']}件，办结{t['handled']}件，其中按期办结"
             f"{t['on_time']}件、超期办结{t['late']}件，按期率{pct(t['on_time_rate'])}，办理用时中位数"
             f"{'—' if t['median_working_days'] is None else format(t['median_working_days'], 'g')}个工作日；季度末尚有"
             f"{t['open']}件未办结，其中超期{t['open_overdue']}件；退回{t['returns']}件，管辖争议{t['disputes']}件。"]
    if data["mechanisms"]:
        paras.append("二、各机制运行情况。" + "；".join(
            f"{m['mechanism_name']}收件{m['received']}件、办结{m['handled']}件、按期率{pct(m['on_time_rate'])}"
            for m in data["mechanisms"]) + "。")
    credit = data.get("credit") or []
    if credit:
        c = {k: sum(d[k] for d in credit) for k in sel.CREDIT_METRICS}
        sentence = (f"信用惩戒方面，各单位录入信用记录{c['records']}条；向信用平台报送按期{c['push_on_time']}条、"
                    f"超期{c['push_late']}条，季度末逾期未报送{c['push_overdue']}条；收到专家禁入相互通报"
                    f"{c['ban_notices']}件，按期确认{c['ban_on_time']}件、超期确认{c['ban_late']}件；资格核查拦截"
                    f"失信主体{c['stopped']}次。")
        if len(paras) > 2:
            paras[2] += sentence
        else:
            paras.append("二、各机制运行情况。" + sentence)
    late = data["late_departments"]
    paras.append("三、超期单位。" + ("；".join(f"{d['name']}超期办结{d['late']}件、超期未办结{d['open_overdue']}件"
                                           for d in late) + "。" if late else "本季度未发现超期事项。"))
    if data["notable"]:
        paras.append("四、典型事项。" + "；".join(f"{n['department']}“{n['item']}”（{n['step']}，期限{n['due']}）"
                                              for n in data["notable"][:5]) + "，至季度末仍未办结。")
    paras.append(f"五、督办情况。本季度发出督办函{data['notices']['issued']}件，已回复{data['notices']['replied']}件。")
    paras.append("六、下一步工作。督促超期单位限期办结并说明原因，对监管职责不履行、责任落实不到位的单位视情督办、通报，"
                 "并向有关方面提出问责建议。")
    return f"{name}{label}公共资源交易协同监管工作情况报告", paras


def xlsx_bytes(data: dict) -> bytes:
    rate = exports.rate
    sheets = [
        ("分单位", ["单位代码", "单位", "收件", "办结", "按期办结", "超期办结", "未办结", "超期未办结", "按期率"],
         [[d["code"], d["name"], d["received"], d["handled"], d["on_time"], d["late"], d["open"],
           d["open_overdue"], rate(d["on_time_rate"])] for d in data["departments"]]),
        ("分单位分机制", exports.FIGURE_HEADERS,
         [[r["department"], r["department_name"], r["mechanism_name"], r["received"], r["handled"], r["on_time"],
           r["late"], r["open"], r["open_overdue"], rate(r["on_time_rate"]),
           "" if r["median_working_days"] is None else r["median_working_days"], r["returns"], r["disputes"]]
          for r in data["rows"] + data["mechanisms"]]),
        ("信用惩戒", exports.CREDIT_HEADERS[:6] + exports.CREDIT_HEADERS[7:],
         [[d["code"], d["name"], d["records"], d["push_on_time"], d["push_late"], d["push_overdue"],
           d["ban_notices"], d["ban_on_time"], d["ban_late"], d["ban_overdue"], d["stopped"]]
          for d in data.get("credit") or []]),
        ("超期未办结典型事项", ["单位", "事项", "编号", "环节", "期限"],
         [[n["department"], n["item"], n["reference"], n["step"], n["due"]] for n in data["notable"]]),
        ("近8个季度", ["季度", "收件", "办结", "按期办结", "超期办结", "按期率"],
         [[t["quarter"], t["received"], t["handled"], t["on_time"], t["late"], rate(t["on_time_rate"])]
          for t in data["trend"]]),
    ]
    return exports.workbook(sheets)


def charts(data: dict) -> dict:
    """Server-side SVG for the PDF (WeasyPrint runs no JavaScript; the page uses ECharts)."""
    from django.utils.safestring import mark_safe

    from complaints.charts import column_chart, hbar_chart

    def fixed(svg) -> str:  # WeasyPrint sizes an SVG by its own width/height; the page's responsive style misleads it
        return mark_safe(str(svg).replace(' style="max-width:100%;height:auto"', ""))

    return {k: fixed(v) for k, v in {
        "departments": hbar_chart([{"label": d["name"], "count": d["late"] + d["open_overdue"]}
                                   for d in data["late_departments"]][:12],
                                  title="各单位超期事项（超期办结＋超期未办结）", chart_id="late", width=560,
                                  color="#c53030"),
        "trend": column_chart(data["trend"], series=(("received", "收件", "#90cdf4"), ("handled", "办结", "#2b6cb0"),
                                                     ("late", "超期办结", "#dd6b20")),
                              category="quarter", title="近8个季度收件与办结", chart_id="trend", width=560),
    }.items()}


# --- the steps -----------------------------------------------------------------------------------
def _locked(report: QuarterlyReport) -> QuarterlyReport:
    return QuarterlyReport.objects.select_for_update().select_related("office__jurisdiction").get(pk=report.pk)


@transaction.atomic
def draft_report(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    _office_for(actor, report.office)
    report = _locked(report)
    if report.state not in (QuarterlyReport.State.PENDING, QuarterlyReport.State.DRAFT):
        raise Conflict("报告已审核签发，不能重新起草")
    if period_of(report).last >= timezone.localdate():
        raise DomainError.for_field("quarter", "季度尚未结束，不能起草该季度的报告")
    report.data = build_data(report.office, period_of(report))
    title, paras = draft_paragraphs(report.office, report.data)
    report.title, report.body = title, "\n\n".join(paras)
    report.state, report.drafted_by, report.drafted_at = QuarterlyReport.State.DRAFT, actor, timezone.now()
    report.save(update_fields=["data", "title", "body", "state", "drafted_by", "drafted_at"])
    record(actor=actor, obj=report, action="supervision.report_drafted", after={"title": title})
    return report


@transaction.atomic
def edit_report(*, actor, report: QuarterlyReport, title: str, body: str) -> QuarterlyReport:
    _office_for(actor, report.office)
    report = _locked(report)
    if report.state != QuarterlyReport.State.DRAFT:
        raise Conflict("只有草稿可以修改")
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", "标题", title, 200)
    body = _text(errors, "body", "正文", body, 50000, 20)
    _raise(errors, "报告")
    report.title, report.body = title, body.replace("\r\n", "\n")
    report.save(update_fields=["title", "body"])
    record(actor=actor, obj=report, action="supervision.circular_edited", after={"title": title})
    return report


@transaction.atomic
def sign_report(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    _office_leader(actor, report.office)
    report = _locked(report)
    if report.state != QuarterlyReport.State.DRAFT:
        raise Conflict("只有草稿可以审核签发")
    report.state, report.signed_by, report.signed_at = QuarterlyReport.State.SIGNED, actor, timezone.now()
    report.save(update_fields=["state", "signed_by", "signed_at"])
    record(actor=actor, obj=report, action="supervision.circular_signed", after={"title": report.title})
    return report


@transaction.atomic
def issue_report(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    """Issue the PDF to the committee, circulate it to every member unit with the XLSX, complete the clock."""
    _office_for(actor, report.office)
    report = _locked(report)
    if report.state == QuarterlyReport.State.ISSUED:
        return report
    if report.state != QuarterlyReport.State.SIGNED:
        raise Conflict("报告须经负责人审核签发后才能印发")
    units = member_units(report.office)
    data = xlsx_bytes(report.data)
    report.xlsx.save(f"report-{report.year}Q{report.quarter}-{hashlib.sha256(data).hexdigest()[:12]}.xlsx",
                     ContentFile(data), save=False)
    report.letter = issue_letter(actor=actor, issuer=report.office, kind=Letter.Kind.SUPERVISION_REPORT,
                                 title=report.title, body=report.body, subject=report,
                                 addressee_name=committee_name(report.office), readers=units,
                                 cc=["各成员单位"], materials=[f"{report.title}统计表（XLSX）"],
                                 signed_by=report.signed_by)
    report.state = QuarterlyReport.State.ISSUED
    report.save(update_fields=["state", "letter", "xlsx"])
    if report.clock_id and report.clock.closed_at is None:
        clock_services.complete_clock(actor=actor, clock=report.clock, note="报告已印发")
    record(actor=actor, obj=report, action="supervision.report_issued",
           after={"letter": report.letter.doc_number, "units": len(units)})
    from django.urls import reverse

    for unit in units:
        notify_department(department=unit, roles=[Membership.Role.LEADER, Membership.Role.LIAISON],
                          kind="report", title=f"季度报告：{report.title}",
                          url=reverse("supervision:report", args=[report.pk]),
                          body=f"{report.office.name}印发 {report.letter.doc_number}")
    return report


def draft_files(*, office: Department, period: periods.Period) -> tuple[bytes, bytes, str]:
    """The draft report's PDF and XLSX for `period`, computed now, issuing nothing and saving nothing."""
    data = build_data(office, period)
    title, paras = draft_paragraphs(office, data)
    report = QuarterlyReport(office=office, year=period.first.year, quarter=(period.first.month - 1) // 3 + 1,
                             title=title, body="\n\n".join(paras), data=data)
    return render_pdf(report, draft=True), xlsx_bytes(data), title


def render_pdf(report: QuarterlyReport, *, draft: bool) -> bytes:
    now = timezone.now()
    letter = Letter(issuer=report.office, kind=Letter.Kind.SUPERVISION_REPORT, year=now.year, number=0,
                    doc_number="（草稿）" if draft else "", title=report.title, body=report.body,
                    addressee_name=committee_name(report.office), cc=["各成员单位"],
                    materials=[f"{report.title}统计表（XLSX）"], issued_at=now)
    letter.subject = report
    return render.render_pdf(letter, report)


def visible_reports(user):
    from django.db.models import Q

    from casework.org.selectors import user_departments
    from supervision.access import scope_for

    if not user.is_authenticated:
        return QuarterlyReport.objects.none()
    mine = [d.id for d in user_departments(user)]
    scope = scope_for(user)
    q = Q(office_id__in=mine) | Q(state=QuarterlyReport.State.ISSUED, letter__readers__in=mine)
    if scope.is_supervisor:
        q |= Q(office__jurisdiction_id__in=scope.jurisdiction_ids)
    return QuarterlyReport.objects.filter(q).distinct().select_related("office", "letter", "clock")


def get_report(user, pk) -> QuarterlyReport:
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise NotFound("未找到该报告。")
    return report
