"""Credit pages: public lists (no login), staff recording and management, the export file."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.clocks.services import clocks_for
from casework.errors import DomainError, Forbidden, NotFound
from casework.events.services import timeline
from casework.exports import SafeWriter
from casework.forms import add_domain_error
from casework.org.models import Department
from casework.org.selectors import user_departments
from casework.savedviews.views import lists_saved_views
from credit import selectors, services
from credit.forms import CorrectionForm, EligibilityForm, ExportFilterForm, RecordForm, RedListForm
from credit.models import CreditPush, CreditRecord, ExpertBanNotice, PenaltyCategory
from credit.publication import public_code

SUBJECT_FIELDS = {"code": "subject_code", "name": "subject_name", "type": "subject_type"}


def _public(request, template, rows, title):
    q = request.GET.get("q", "").strip()
    today = timezone.localdate()
    listed = list(rows(q, today)[:300])
    for row in listed:
        row.public_code = public_code(row.subject)
    return render(request, template, {"rows": listed, "q": q, "title": title, "on": today})


def black_list(request):
    return _public(request, "credit/black_list.html", selectors.black_list, "严重失信主体名单")


def red_list(request):
    return _public(request, "credit/red_list.html", selectors.red_list, "守信红名单")


def penalties(request):
    return _public(request, "credit/penalties.html", selectors.published_penalties, "行政处罚信息公示")


_my_records = selectors.my_records


@login_required
@lists_saved_views
def record_list(request):
    """Every credit record of my departments (supervisors: their jurisdictions), found and exported one way."""
    from casework.listing import list_page
    return list_page(request, selectors.record_list_ledger(request.user), template="credit/record_list.html")


def _issuing_departments(user):
    depts = [d for d in user_departments(user) if d.type != Department.Type.TRADING_CENTRE]
    if not depts:
        raise Forbidden("只有行政监督部门可以记录信用信息")
    return depts


@login_required
def index(request):
    answer = None
    form = EligibilityForm(request.GET or None)
    if request.GET and form.is_valid():
        try:
            answers = services.check_eligibility(actor=request.user, codes=[form.cleaned_data["code"]],
                                                 domain=form.cleaned_data["domain"], on=form.cleaned_data["on"],
                                                 project_code="（平台页面查询）")
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            answer = next(iter(answers.values()))
    mine = [d for d in user_departments(request.user)]
    notices = ExpertBanNotice.objects.filter(to_department__in=mine).select_related(
        "record__subject", "record__department").order_by("acknowledged_at", "-created_at")[:50]
    pushes = (CreditPush.objects.filter(record__department__in=mine).filter(selectors.not_pushed_q())
              .select_related("record__subject", "delivery").order_by("-created_at")[:100])
    batches = (CreditPush.objects.filter(record__department__in=mine, channel=CreditPush.Channel.FILE)
               .exclude(batch="").filter(confirmed_at__isnull=True).values_list("batch", flat=True).distinct())
    return render(request, "credit/index.html", {
        "records": _my_records(request.user)[:200], "form": form, "answer": answer, "notices": notices,
        "pushes": pushes, "batches": sorted(set(batches)), "export_form": ExportFilterForm(),
        "invalid": bool(form.errors)}, status=400 if form.errors else 200)


@login_required
def record_new(request):
    depts = _issuing_departments(request.user)
    form = RecordForm(request.POST or None, initial={"valid_from": timezone.localdate(), "publishable": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        measures = []
        if d["measure_kind"]:
            measures = [services.MeasureInput(d["measure_kind"], d["measure_domains"], d["measure_starts_on"],
                                              d["measure_ends_on"])]
        try:
            subject = services.ensure_subject(actor=request.user, type=d["subject_type"], code=d["subject_code"],
                                              name=d["subject_name"])
            rec = services.record_sanction(
                actor=request.user, department=depts[0], subject=subject, kind=d["kind"],
                decision_number=d["decision_number"], decided_on=d["decided_on"], facts=d["facts"],
                legal_basis=d["legal_basis"], penalty=d["penalty"], valid_from=d["valid_from"],
                valid_until=d["valid_until"], serious=d["serious"], publishable=d["publishable"],
                measures=measures, penalty_category=d["penalty_category"], fine_amount=d["fine_amount"])
        except DomainError as exc:
            add_domain_error(form, exc, {**SUBJECT_FIELDS, "measures": "measure_domains",
                                         "measures.0.starts_on": "measure_starts_on",
                                         "measures.0.ends_on": "measure_ends_on"})
        else:
            messages.success(request, f"已记录 {rec.decision_number}")
            return redirect("credit:record", pk=rec.pk)
    return render(request, "credit/record_form.html", {"form": form, "department": depts[0]},
                  status=400 if form.errors else 200)


@login_required
def red_list_new(request):
    """守信激励 (Pingdingshan 23): the department enters a subject on the red list with basis and period."""
    depts = _issuing_departments(request.user)
    form = RedListForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            subject = services.ensure_subject(actor=request.user, type=d["subject_type"], code=d["subject_code"],
                                              name=d["subject_name"])
            services.add_to_red_list(actor=request.user, department=depts[0], subject=subject, reason=d["reason"],
                                     basis=d["basis"], valid_from=d["valid_from"], valid_until=d["valid_until"])
        except DomainError as exc:
            add_domain_error(form, exc, SUBJECT_FIELDS)
        else:
            messages.success(request, f"已将{subject.name}列入守信红名单")
            return redirect("credit:red_list")
    return render(request, "credit/red_list_form.html", {"form": form, "department": depts[0]},
                  status=400 if form.errors else 200)


def _record(user, pk) -> CreditRecord:
    rec = _my_records(user).filter(pk=pk).first()
    if rec is None:
        raise NotFound("未找到该信用记录。")
    return rec


def _shown(key, value) -> str:
    if value is None:
        return "长期" if key in ("valid_until", "measures_ends_on") else "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "penalty_category":
        return PenaltyCategory(value).label if value in PenaltyCategory.values else value or "—"
    return str(value)


def _corrections(rec):
    rows = list(rec.corrections.select_related("corrected_by"))
    for c in rows:
        c.rows = [(services.CORRECTABLE.get(k, k), _shown(k, c.before.get(k)), _shown(k, v))
                  for k, v in c.after.items()]
    return rows


def _detail(request, rec, correction_form=None, status=200):
    return render(request, "credit/record_detail.html", {
        "rec": rec, "measures": rec.measures.order_by("domain"), "clocks": clocks_for(rec),
        "events": timeline(rec), "mine": rec.department in user_departments(request.user),
        "corrections": _corrections(rec),
        "pushes": rec.pushes.select_related("delivery", "confirmed_by"),
        "notices": rec.ban_notices.select_related("to_department"),
        "entry_delay": services.entry_delay_days(rec),
        "correction_form": correction_form or CorrectionForm(),
        "log": selectors.query_log_for(request.user, rec.subject)[:100]}, status=status)


@login_required
def record_detail(request, pk: int):
    return _detail(request, _record(request.user, pk))


@login_required
def record_correct(request, pk: int):
    """更正: the issuing department corrects fields of its record, with the reason; before/after kept."""
    rec = _record(request.user, pk)
    if request.method != "POST":
        return redirect("credit:record", pk=rec.pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correct_record(actor=request.user, rec=rec, reason=form.cleaned_data["reason"],
                                    **form.changes(rec))
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, "已更正，更正前后内容和理由已记录")
            return redirect("credit:record", pk=rec.pk)
    return _detail(request, rec, form, status=400)


@login_required
@require_POST
def record_action(request, pk: int, name: str):
    rec = _record(request.user, pk)
    text = request.POST.get("text", "")
    if name == "repair":
        services.repair_record(actor=request.user, rec=rec, decision=text)
        messages.success(request, "已信用修复，惩戒措施即时失效，并报送信用平台")
    elif name == "withdraw":
        services.withdraw_record(actor=request.user, rec=rec, reason=text)
        messages.success(request, "已撤销该记录，并报送信用平台")
    elif name == "confirm_push":
        services.confirm_push(actor=request.user, rec=rec, note=text)
        messages.success(request, "已确认报送信用平台")
    elif name == "retry_push":
        push = rec.pushes.filter(pk=request.POST.get("push") or 0).first()
        if push is None:
            raise NotFound("未找到该报送。")
        services.retry_push(actor=request.user, push=push)
        messages.success(request, "已重新推送")
    else:
        raise NotFound(f"未知操作：{name}")
    return redirect("credit:record", pk=rec.pk)


@login_required
def notice_detail(request, pk: int):
    notice = ExpertBanNotice.objects.filter(pk=pk, to_department__in=user_departments(request.user)).select_related(
        "record__subject", "record__department").first()
    if notice is None:
        raise NotFound("未找到该通报。")
    error = ""
    if request.method == "POST":
        try:
            services.acknowledge_ban(actor=request.user, notice=notice,
                                     measure_taken=request.POST.get("measure_taken", ""))
        except DomainError as exc:
            if not exc.field_errors:
                raise
            error = next(iter(exc.field_errors.values()))[0]
        else:
            messages.success(request, "已记录本库采取的措施")
            return redirect("credit:notice", pk=pk)
    return render(request, "credit/notice.html", {"notice": notice, "clocks": clocks_for(notice), "error": error},
                  status=400 if error else 200)


@login_required
@require_POST
def batch_action(request, name: str):
    """Number the pending pushes as a batch of the standard export file, or record a batch's receipt."""
    dept = _issuing_departments(request.user)[0]
    if name == "export":
        batch = services.export_batch(actor=request.user, department=dept)
        messages.success(request, f"已生成报送批次 {batch}，请下载该批次的标准文件报送信用平台")
    elif name == "confirm":
        batch = request.POST.get("batch", "")
        n = services.confirm_batch(actor=request.user, department=dept, batch=batch,
                                   receipt=request.POST.get("receipt", ""))
        messages.success(request, f"批次 {batch} 已确认报送（{n} 条）")
    else:
        raise NotFound(f"未知操作：{name}")
    return redirect("credit:index")


EXPORT_COLUMNS = ["报送事项", "报送批次", "报送状态", "平台回执", "行政相对人名称", "统一社会信用代码",
                  "行政处罚决定书文号", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（元）",
                  "处罚决定日期", "处罚机关", "公示截止期", "数据来源单位", "状态", "惩戒措施（导出日执行中）"]


@login_required
def export_penalties(request):
    """The standard export file of the credit platform (CSV, UTF-8 with BOM): one row per push (the
    penalty, and each correction, repair or withdrawal), filtered by batch, decision date and not yet pushed.
    The header row is always there, even when nothing matches."""
    form = ExportFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        raise DomainError("导出条件有误", field_errors={k: list(v) for k, v in form.errors.items()})
    d = form.cleaned_data if request.GET else {}
    pushes = selectors.pushes_for_export(_my_records(request.user), batch=d.get("batch", ""), since=d.get("since"),
                                         until=d.get("until"), pending=d.get("pending", False))
    today = timezone.localdate()
    in_force = {}
    for m in selectors.measures_in_force(today).filter(record__in=pushes.values("record_id")):
        in_force.setdefault(m.record_id, []).append(
            f"{m.get_kind_display()}（{m.get_domain_display()}）{m.starts_on:%Y-%m-%d} 至 "
            f"{m.ends_on.strftime('%Y-%m-%d') if m.ends_on else '长期'}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"行政处罚信息{('-' + d['batch']) if d.get('batch') else ''}.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.write("\ufeff")
    writer = SafeWriter(response)
    writer.writerow(EXPORT_COLUMNS)
    for push in pushes:
        record = push.payload.get("record", {})
        row = [push.get_action_display(), push.batch, push.state, push.receipt_display]
        row += [record.get(c, "") for c in EXPORT_COLUMNS[4:-1]]
        row.append("；".join(in_force.get(push.record_id, [])))
        writer.writerow(row)
    return response
