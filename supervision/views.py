"""Pages: the dashboard, its drill-down, 督办函 and 通报. Thin: scope, selectors and services do the work."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.errors import NotFound
from supervision import exports, mechanisms, periods, rollup
from supervision import selectors as sel
from supervision.access import scope_for
from supervision.models import SupervisionNotice
from supervision.tables import credit_rows, figure_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return resp


def _scope(request):
    scope = scope_for(request.user)
    if scope.empty:
        raise NotFound("未找到该页面。")
    return scope


def _filters(request, scope):
    period = periods.parse(request.GET, today=timezone.localdate())
    department = sel.resolve_department(scope, request.GET.get("department"))
    mechanism = sel.check_mechanism(request.GET.get("mechanism"))
    return period, department, mechanism


def _quarter_links(period):
    current = periods.quarter_of(timezone.localdate())
    out = [current]
    while len(out) < 8:
        out.append(periods.previous_quarter(out[-1]))
    return [{"period": q, "label": q.label, "active": q == period} for q in out]


@login_required
def dashboard(request):
    scope = _scope(request)
    period, department, mechanism = _filters(request, scope)
    board = sel.dashboard(scope, period, department=department, mechanism=mechanism)
    trend = sel.trend(scope, period, department=department, mechanism=mechanism)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.workbook(exports.dashboard_sheets(board, trend)),
                             f"supervision-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx")
    drill = reverse("supervision:items")
    chart = {
        "drill": drill, "query": period.query(),
        "mechanisms": [{"code": t.mechanism, "label": t.mechanism_label, "on_time": t.on_time, "late": t.late,
                        "open_overdue": t.open_overdue} for t in board.totals],
        "trend": [{"quarter": t["quarter"], "query": f"from={t['from']:%Y-%m-%d}&to={t['to']:%Y-%m-%d}",
                   "received": t["received"], "handled": t["handled"], "late": t["late"],
                   "rate": None if t["on_time_rate"] is None else round(t["on_time_rate"] * 100, 1)}
                  for t in trend],
        "departments": _overdue_by_department(board),
        "mechanism": mechanism or "",
    }
    return render(request, "supervision/dashboard.html", {
        "board": board, "trend": trend, "period": period, "scope": scope, "chart": chart,
        "department": department, "mechanism": mechanism, "mechanisms": mechanisms.MECHANISMS,
        "departments": scope.departments(), "quarters": _quarter_links(period),
        "last_run": rollup.last_run(), "metrics": sel.METRICS,
        "export_url": f"{request.path}?{_query(request, format='xlsx')}",
        "figure_rows": figure_rows(board.rows, query=period.query(), items_url=drill,
                                   notice_url=reverse("supervision:notice_new"), supervisor=scope.can_supervise),
        "credit_rows": credit_rows([r for r in board.rows if r.mechanism == "credit"], query=period.query(),
                                   items_url=drill),
        "credit_average": next((a for a in board.averages if a.mechanism == "credit"), None),
        "show_credit": mechanism in (None, "credit"),
    })


def _overdue_by_department(board) -> list[dict]:
    per: dict[str, dict] = {}
    for r in board.rows:
        d = per.setdefault(r.department.code, {"code": r.department.code, "name": r.department.display_name,
                                               "open_overdue": 0, "late": 0})
        d["open_overdue"] += r.open_overdue
        d["late"] += r.late
    rows = [d for d in per.values() if d["open_overdue"] or d["late"]]
    return sorted(rows, key=lambda d: (-d["open_overdue"], -d["late"]))[:15]


def _query(request, **changes) -> str:
    q = request.GET.copy()
    for k, v in changes.items():
        if v is None:
            q.pop(k, None)
        else:
            q[k] = v
    return q.urlencode()


CLOCK_HEADERS = ["事项", "编号", "环节", "责任单位", "经办人", "起算时间", "截止时间", "状态", "办结时间"]


def _clock_item(clock) -> dict:
    """One row of a drill-down. The case link goes through `case` (one redirect, resolved on click), so a page
    of 50 items costs the same few queries whatever mechanism each item belongs to."""
    subject = clock.subject
    name, reference = _credit_name(subject)
    return {"clock": clock, "name": name or (str(subject) if subject is not None else clock.label),
            "reference": reference or getattr(subject, "reference", "") or "",
            "url": reverse("supervision:case", args=[clock.pk]),
            "holder": (clock.assignee.get_full_name() or clock.assignee.username) if clock.assignee else ""}


@login_required
def case(request, clock_id: int):
    """From a drill-down row to the case itself: the clock's subject page (which checks access itself)."""
    from django.shortcuts import redirect

    from casework.selectors import get_clock

    clock = get_clock(request.user, clock_id)
    subject = clock.subject
    url = ""
    if subject is not None and hasattr(subject, "get_absolute_url"):
        url = subject.get_absolute_url()
    return redirect(url or reverse("casework:clock", args=[clock.pk]))


@login_required
def items(request):
    """The items behind one figure of the dashboard, and from there the case."""
    scope = _scope(request)
    period, department, mechanism = _filters(request, scope)
    metric = request.GET.get("metric", "")
    labels = sel.METRICS | sel.CREDIT_METRICS
    if metric not in labels:
        from casework.errors import DomainError

        raise DomainError.for_field("metric", f"未知的统计项“{metric[:20]}”")
    dept_ids = [department.id] if department else list(scope.departments().values_list("id", flat=True))
    kind = metric if metric in ("returns", "disputes", *CREDIT_LISTS) else "clocks"
    if kind == "returns":
        qs = sel.drill_returns(dept_ids, period, mechanism)
    elif kind == "disputes":
        qs = sel.drill_disputes(dept_ids, period, mechanism)
    elif kind in CREDIT_LISTS:
        qs, mechanism = sel.drill_credit(dept_ids, period, metric), "credit"
    else:
        if metric in sel.CREDIT_METRICS:
            mechanism = "credit"
        qs = sel.drill_clocks(dept_ids, period, metric, mechanism)
    title = (f"{department.name if department else '全部单位'} · "
             f"{mechanisms.LABELS[mechanism] if mechanism else '全部机制'} · {labels[metric]}")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.workbook([_sheet(kind, qs[:50000])]), f"supervision-items-{metric}.xlsx")
    if kind == "clocks":  # keyset pages over a million clocks: no OFFSET, no COUNT of the figure again
        page = _keyset_page(request, qs, sel.drill_order(metric))
        page.count = sel.figure_count(dept_ids, period, metric, mechanism)
        if page.count is None:
            page.count = qs.count()
        rows = [_clock_item(c) for c in _with_subjects(page.object_list)]
    else:
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        page.count = page.paginator.count
        rows = page.object_list
    if kind in CREDIT_LISTS:
        rows = [_credit_item(kind, o) for o in page.object_list]
    return render(request, "supervision/items.html", {
        "title": title, "period": period, "page": page, "rows": rows, "kind": kind, "metric": metric,
        "scope": scope, "department": department, "mechanism": mechanism,
        "back": f"{reverse('supervision:dashboard')}?{_query(request, metric=None, page=None)}",
        "export_url": f"{request.path}?{_query(request, format='xlsx', page=None)}",
        "page_query": _query(request, page=None, after=None), "headers": CREDIT_HEADERS.get(kind),
    })


class KeysetPage:
    """One page of a drill-down ordered by (time, id): the next page starts after the last row shown."""

    def __init__(self, rows, next_after, first):
        self.object_list, self.next_after, self.first = rows, next_after, first
        self.count = None

    @property
    def has_other_pages(self):
        return bool(self.next_after) or not self.first


PAGE_SIZE = 50


def _keyset_page(request, qs, order: str) -> KeysetPage:
    from casework.errors import DomainError

    after = request.GET.get("after", "")
    if after:
        try:
            stamp, pk = after.rsplit("_", 1)
            stamp, pk = dt.datetime.fromisoformat(stamp), int(pk)
            if stamp.tzinfo is None:
                raise ValueError
        except ValueError:
            raise DomainError.for_field("after", "翻页参数（after）无效，请从第一页重新查看") from None
        from django.db.models import Q

        qs = qs.filter(Q(**{f"{order}__gt": stamp}) | Q(**{order: stamp, "id__gt": pk}))
    rows = list(qs[:PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_after = f"{getattr(rows[-1], order).isoformat()}_{rows[-1].pk}" if more else ""
    return KeysetPage(rows, next_after, first=not after)


def _with_subjects(clocks):
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(clocks, "subject")
    from credit.models import CreditRecord, ExpertBanNotice

    subjects = [c.subject for c in clocks]
    prefetch_related_objects([o for o in subjects if isinstance(o, CreditRecord)], "subject")
    prefetch_related_objects([o for o in subjects if isinstance(o, ExpertBanNotice)], "record__subject")
    return clocks


CREDIT_LISTS = ("records", "ban_notices", "stopped")
CREDIT_HEADERS = {
    "records": ["决定书文号", "信用主体", "主体代码", "类型", "作出部门", "决定日期", "录入时间", "状态"],
    "ban_notices": ["决定书文号", "被处理专家", "作出部门", "通报对象", "通报时间", "确认时间", "本库采取的措施"],
    "stopped": ["核查单位", "主体代码", "项目编号", "领域", "核查日期", "核查时间", "核查人"],
}


def _subject_shown(subject) -> tuple[str, str]:
    """A natural person's or expert's name and number masked on the dashboard (the office needs the count and
    the record, not the identity; the record's own page applies its own rules)."""
    from casework.privacy import mask_name
    from credit.models import CreditSubject
    from credit.publication import public_code

    if subject.type in (CreditSubject.Type.ENTERPRISE, CreditSubject.Type.AGENCY):
        return subject.name, subject.code
    return mask_name(subject.name), public_code(subject)


def _credit_name(subject) -> tuple[str, str]:
    """A credit record's or expert-ban notice's name on a clock list, a person's name masked ("", "" otherwise)."""
    from credit.models import CreditRecord, ExpertBanNotice

    if isinstance(subject, ExpertBanNotice):
        name, _code = _subject_shown(subject.record.subject)
        return f"专家禁入通报：{name}", subject.record.decision_number
    if isinstance(subject, CreditRecord):
        name, _code = _subject_shown(subject.subject)
        return f"{subject.get_kind_display()}：{name}", subject.decision_number
    return "", ""


def _credit_item(kind, o) -> dict:
    """One row of a credit drill-down: its link and cells (as exported)."""
    def t(v):
        return timezone.localtime(v).strftime("%Y-%m-%d %H:%M") if v else ""

    from credit.codes import uscc_check
    from credit.publication import mask_resident_id

    if kind == "records":
        name, code = _subject_shown(o.subject)
        return {"url": reverse("credit:record", args=[o.pk]),
                "cells": [o.decision_number, name, code, o.get_kind_display(), o.department.name,
                          o.decided_on.isoformat(), t(o.created_at), o.get_status_display()]}
    if kind == "ban_notices":
        name, _code = _subject_shown(o.record.subject)
        return {"url": reverse("credit:notice", args=[o.pk]),
                "cells": [o.record.decision_number, name, o.record.department.name, o.to_department.name,
                          t(o.created_at), t(o.acknowledged_at), o.measure_taken]}
    code = o.subject_code
    if code.upper().startswith("EXP"):
        code = "（评标评审专家，编号不公开）"
    elif not (len(code) == 18 and uscc_check(code[:17]) == code[17]):  # not a USCC: a resident ID number
        code = mask_resident_id(code)
    return {"url": "", "cells": [o.department.name if o.department else "", code, o.project_code,
                                 o.get_domain_display(), o.on_date.isoformat(), t(o.asked_at),
                                 o.asked_by.get_full_name() or o.asked_by.username]}


def _sheet(kind, qs):
    def t(v):
        return timezone.localtime(v).strftime("%Y-%m-%d %H:%M") if v else ""

    if kind in CREDIT_LISTS:
        return (sel.CREDIT_METRICS[kind], CREDIT_HEADERS[kind], [_credit_item(kind, o)["cells"] for o in qs])

    if kind == "returns":
        return ("退回", ["编号", "事项", "移交单位", "退回单位", "退回时间", "退回理由"],
                [[h.reference, h.title, h.sender.name, h.receiver.name, t(h.closed_at), h.result] for h in qs])
    if kind == "disputes":
        return ("管辖争议", ["线索编号", "项目", "争议单位", "争议单位", "提起时间", "指定管辖", "决定时间"],
                [[d.clue.reference, d.clue.project_name, d.first.name, d.second.name, t(d.raised_at),
                  d.designated.name if d.designated else "", t(d.decided_at)] for d in qs])
    rows = []
    for item in (_clock_item(c) for c in _with_subjects(list(qs))):
        c = item["clock"]
        rows.append([item["name"], item["reference"], c.label, c.department.name, item["holder"], t(c.started_at),
                     t(c.due_at), c.get_state_display(), t(c.closed_at)])
    return ("事项", CLOCK_HEADERS, rows)


# --- 督办函 -----------------------------------------------------------------------------------
def _office(scope):
    if not scope.offices:
        from casework.errors import Forbidden

        raise Forbidden("只有综合监管办公室的监管人员可以督办")
    return scope.offices[0]


@login_required
def notices(request):
    from supervision.services import visible_notices

    scope = scope_for(request.user)
    qs = visible_notices(request.user).order_by("-issued_at")
    state = request.GET.get("state")
    if state in SupervisionNotice.State.values:
        qs = qs.filter(state=state)
    if request.GET.get("format") == "xlsx":
        rows = [[n.reference, n.title, n.office.name, n.department.name, n.issued_at and
                 timezone.localtime(n.issued_at).strftime("%Y-%m-%d"), n.due_on.isoformat(), n.get_state_display(),
                 timezone.localtime(n.replied_at).strftime("%Y-%m-%d %H:%M") if n.replied_at else "",
                 n.reply_clock.get_state_display() if n.reply_clock else ""] for n in qs[:50000]]
        return xlsx_response(exports.workbook([("督办函", ["编号", "督办事项", "督办单位", "被督办单位", "督办日期",
                                                          "回复期限", "状态", "回复时间", "回复时限"], rows)]),
                             "supervision-notices.xlsx")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    export = f"{request.path}?{_query(request, format='xlsx', page=None)}"
    return render(request, "supervision/notices.html", {"page": page, "scope": scope, "state": state,
                                                        "export_url": export})


@login_required
def notice_new(request):
    import uuid

    from casework.selectors import get_clock
    from supervision.forms import NoticeForm
    from supervision.services import issue_notice

    scope = scope_for(request.user)
    office = _office(scope)
    clock = get_clock(request.user, request.GET.get("clock") or request.POST.get("clock")) if (
        request.GET.get("clock") or request.POST.get("clock")) else None
    department = clock.department if clock else sel.resolve_department(
        scope, request.GET.get("department") or request.POST.get("department"))
    if request.method == "POST":
        form = NoticeForm(request.POST, departments=scope.departments().exclude(pk=office.pk))
        if form.is_valid():
            d = form.cleaned_data
            notice = issue_notice(actor=request.user, office=office, department=d["department"], title=d["title"],
                                  requirements=d["requirements"], due_on=d["due_on"],
                                  idempotency_key=d["token"], about_clock=clock)
            from django.contrib import messages
            from django.shortcuts import redirect

            messages.success(request, f"已发出督办函 {notice.reference}（{notice.letter.doc_number}）")
            return redirect(notice)
    else:
        initial = {"token": uuid.uuid4().hex, "due_on": _default_due()}
        if department:
            initial["department"] = department.pk
        if clock:
            initial["title"] = f"{clock.subject or clock.label}（{clock.label}）超期未办结"[:200]
            from casework.clocks.timing import due_date

            initial["requirements"] = (f"该事项“{clock.label}”的办理期限为{due_date(clock.due_at):%Y-%m-%d} 24:00，"
                                       "至今未办结。请立即办理，并书面说明超期原因和整改措施。")
        elif department:
            mech = request.GET.get("mechanism")
            label = mechanisms.LABELS.get(mech, "") if mech else ""
            initial["title"] = f"{department.display_name}{label}工作超期问题"
            initial["requirements"] = (f"经统计，贵单位{label}工作存在超期办结或超期未办结事项。请逐项核查，"
                                       "限期办结，并书面说明超期原因和整改措施。")
        form = NoticeForm(initial=initial, departments=scope.departments().exclude(pk=office.pk))
    return render(request, "supervision/notice_form.html", {"form": form, "clock": clock, "scope": scope,
                                                            "office": office})


def _default_due():
    from casework.calendar.services import get_calendar

    try:
        return get_calendar().add_working_days(timezone.localdate(), 5).date
    except Exception:
        return timezone.localdate() + dt.timedelta(days=7)


@login_required
def notice_detail(request, pk: int):
    from casework.events.services import timeline
    from casework.letters.services import readable_ids
    from casework.org.selectors import user_departments
    from supervision.services import get_notice

    notice = get_notice(request.user, pk)
    can_reply = notice.state == SupervisionNotice.State.OPEN and notice.department in user_departments(request.user)
    letters = [notice.letter] if notice.letter else []
    return render(request, "supervision/notice_detail.html", {
        "notice": notice, "can_reply": can_reply, "events": timeline(notice), "scope": scope_for(request.user),
        "readable": readable_ids(request.user, letters), "subject": notice.subject})


@login_required
@require_POST
def notice_reply(request, pk: int):
    from django.contrib import messages
    from django.shortcuts import redirect

    from casework.errors import DomainError
    from supervision.services import get_notice, reply_notice

    notice = get_notice(request.user, pk)
    try:
        reply_notice(actor=request.user, notice=notice, reply=request.POST.get("reply", ""))
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
        return redirect(notice)
    messages.success(request, "已回复督办函")
    return redirect(notice)


# --- 通报 -------------------------------------------------------------------------------------
@login_required
def circulars(request):
    from supervision.services import visible_circulars

    scope = scope_for(request.user)
    qs = visible_circulars(request.user).order_by("-drafted_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    prev = periods.previous_quarter(periods.quarter_of(today))
    return render(request, "supervision/circulars.html", {"page": page, "scope": scope, "default": prev})


@login_required
@require_POST
def circular_new(request):
    from django.shortcuts import redirect

    from supervision.services import draft_circular

    scope = scope_for(request.user)
    office = _office(scope)
    period = periods.parse(request.POST, today=timezone.localdate(), required=True)
    circular = draft_circular(actor=request.user, office=office, period=period)
    return redirect(circular)


@login_required
def circular_detail(request, pk: int):
    from casework.events.services import timeline
    from casework.letters.services import readable_ids
    from casework.org.models import Department, Membership
    from supervision.forms import CircularForm
    from supervision.models import Circular
    from supervision.services import get_circular

    circular = get_circular(request.user, pk)
    scope = scope_for(request.user)
    is_office = circular.office in scope.offices
    is_leader = Membership.objects.filter(user=request.user, department=circular.office,
                                          role=Membership.Role.LEADER).exists()
    discipline = (Department.objects.filter(type=Department.Type.DISCIPLINE, active=True,
                                            jurisdiction_id__in=scope.jurisdiction_ids) if is_office else [])
    letters = [circular.letter] if circular.letter else []
    return render(request, "supervision/circular_detail.html", {
        "circular": circular, "scope": scope, "is_office": is_office, "is_leader": is_leader,
        "can_edit": is_office and circular.state == Circular.State.DRAFT,
        "form": CircularForm(initial={"title": circular.title, "body": circular.body}),
        "events": timeline(circular), "discipline": discipline, "readable": readable_ids(request.user, letters),
        "paragraphs": [p for p in circular.body.split("\n\n") if p.strip()],
    })


@login_required
@require_POST
def circular_action(request, pk: int, action: str):
    from django.contrib import messages
    from django.shortcuts import redirect

    from casework.errors import DomainError
    from casework.org.models import Department
    from supervision import services
    from supervision.services import get_circular

    circular = get_circular(request.user, pk)
    try:
        if action == "edit":
            services.edit_circular(actor=request.user, circular=circular, title=request.POST.get("title", ""),
                                   body=request.POST.get("body", ""))
            messages.success(request, "已保存修改")
        elif action == "sign":
            services.sign_circular(actor=request.user, circular=circular)
            messages.success(request, "已审核签发")
        elif action == "issue":
            circular = services.issue_circular(actor=request.user, circular=circular,
                                               publish=request.POST.get("publish") == "1")
            messages.success(request, f"已印发 {circular.letter.doc_number}，送各成员单位")
        elif action == "refer":
            receiver = Department.objects.filter(pk=request.POST.get("receiver") or 0).first()
            if receiver is None:
                raise DomainError.for_field("receiver", "请选择纪检监察机关")
            clue = services.refer_accountability(actor=request.user, circular=circular, receiver=receiver,
                                                 summary=request.POST.get("summary", ""))
            messages.success(request, f"问责建议已移送（线索 {clue.reference}）")
        else:
            raise NotFound("未找到该操作。")
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    return redirect("supervision:circular", pk=pk)


# --- 季度报告 -----------------------------------------------------------------------------------
@login_required
def reports(request):
    from supervision.reports import visible_reports

    scope = scope_for(request.user)
    qs = visible_reports(request.user).order_by("-year", "-quarter")
    return render(request, "supervision/reports.html", {"page": Paginator(qs, 40).get_page(request.GET.get("page")),
                                                        "scope": scope})


@login_required
def report_detail(request, pk: int):
    from casework.events.services import timeline
    from casework.letters.services import readable_ids
    from casework.org.models import Membership
    from supervision.forms import CircularForm
    from supervision.models import QuarterlyReport
    from supervision.reports import get_report

    report = get_report(request.user, pk)
    scope = scope_for(request.user)
    is_office = report.office in scope.offices
    letters = [report.letter] if report.letter else []
    return render(request, "supervision/report_detail.html", {
        "report": report, "scope": scope, "is_office": is_office,
        "is_leader": Membership.objects.filter(user=request.user, department=report.office,
                                               role=Membership.Role.LEADER).exists(),
        "can_edit": is_office and report.state == QuarterlyReport.State.DRAFT,
        "form": CircularForm(initial={"title": report.title, "body": report.body}),
        "paragraphs": [p for p in report.body.split("\n\n") if p.strip()], "events": timeline(report),
        "readable": readable_ids(request.user, letters),
    })


@login_required
def report_file(request, pk: int, kind: str):
    """The draft PDF (office only) or the tables (XLSX) of a report."""
    from supervision import reports as rep

    report = rep.get_report(request.user, pk)
    if kind == "xlsx":
        if report.xlsx:
            data = report.xlsx.open("rb").read()
        elif report.data and report.office in scope_for(request.user).offices:
            data = rep.xlsx_bytes(report.data)
        else:
            raise NotFound("报告尚未起草。")
        return xlsx_response(data, f"supervision-report-{report.year}Q{report.quarter}.xlsx")
    if kind == "draft.pdf" and report.data and report.office in scope_for(request.user).offices:
        resp = HttpResponse(rep.render_pdf(report, draft=True), content_type="application/pdf")
        resp["Content-Disposition"] = f"inline; filename=draft-{report.year}Q{report.quarter}.pdf"
        return resp
    raise NotFound("未找到该文件。")


@login_required
@require_POST
def report_action(request, pk: int, action: str):
    from django.contrib import messages
    from django.shortcuts import redirect

    from casework.errors import DomainError
    from supervision import reports as rep

    report = rep.get_report(request.user, pk)
    steps = {"draft": (rep.draft_report, "已按本季度数据起草报告"), "sign": (rep.sign_report, "已审核签发"),
             "issue": (rep.issue_report, "已印发，报送公管委并分送各成员单位")}
    try:
        if action == "edit":
            rep.edit_report(actor=request.user, report=report, title=request.POST.get("title", ""),
                            body=request.POST.get("body", ""))
            messages.success(request, "已保存修改")
        elif action in steps:
            steps[action][0](actor=request.user, report=report)
            messages.success(request, steps[action][1])
        else:
            raise NotFound("未找到该操作。")
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    return redirect("supervision:report", pk=pk)


@login_required
def overview(request):
    """督办总览: what is overdue now in the jurisdiction, with each item's name and holder, and what the ladder
    listed for the circular this quarter. For the supervision office and the DRC/committee leaders."""
    from django.db.models import prefetch_related_objects

    from casework.clocks.models import Clock, EscalationStep
    from casework.errors import Forbidden

    scope = scope_for(request.user)
    if not scope.is_supervisor:
        raise Forbidden("仅综合监管办公室及发展改革部门负责人可以查看督办总览")
    quarter = periods.quarter_of(timezone.localdate())
    overdue = list(Clock.objects.filter(department__jurisdiction_id__in=scope.jurisdiction_ids,
                                        closed_at__isnull=True, due_at__lt=timezone.now())
                   .select_related("department", "assignee").order_by("due_at")[:500])
    steps = list(EscalationStep.objects.filter(kind=EscalationStep.Kind.CIRCULAR,
                                               clock__department__jurisdiction_id__in=scope.jurisdiction_ids,
                                               fired_at__gte=sel.start_of_day(quarter.first))
                 .select_related("clock__department").order_by("-fired_at")[:500])
    prefetch_related_objects(overdue + [s.clock for s in steps], "subject")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.workbook([_sheet("clocks", overdue)]), "supervision-overdue.xlsx")
    from casework.selectors import pending_disputes

    return render(request, "supervision/overview.html", {
        "overdue": [_clock_item(c) for c in overdue], "circular": steps, "quarter": quarter, "scope": scope,
        "disputes": pending_disputes(request.user)[:200]})
