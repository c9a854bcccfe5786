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
from casework.exports import SafeDictWriter
from casework.forms import add_domain_error
from casework.org.models import Department
from casework.org.selectors import scoped, user_departments
from credit import selectors, services
from credit.forms import EligibilityForm, RecordForm
from credit.models import CreditRecord, ExpertBanNotice


def _public(request, template, rows, title):
    q = request.GET.get("q", "").strip()
    return render(request, template, {"rows": rows(q)[:300], "q": q, "title": title})


def black_list(request):
    return _public(request, "credit/black_list.html", selectors.black_list, "严重失信主体名单")


def red_list(request):
    return _public(request, "credit/red_list.html", selectors.red_list, "守信红名单")


def penalties(request):
    return _public(request, "credit/penalties.html", selectors.published_penalties, "行政处罚信息公示")


def _my_records(user):
    return scoped(user, CreditRecord.objects.select_related("subject", "department"), department_fields=("department",))


@login_required
def index(request):
    answer = None
    form = EligibilityForm(request.GET or None)
    if request.GET and form.is_valid():
        answers = services.check_eligibility(actor=request.user, codes=[form.cleaned_data["code"]],
                                             domain=form.cleaned_data["domain"], on=form.cleaned_data["on"],
                                             project_code="（平台页面查询）")
        answer = next(iter(answers.values()))
    notices = ExpertBanNotice.objects.filter(to_department__in=user_departments(request.user)).select_related(
        "record__subject", "record__department").order_by("acknowledged_at", "-created_at")[:50]
    return render(request, "credit/index.html", {"records": _my_records(request.user)[:200], "form": form,
                                                 "answer": answer, "notices": notices})


@login_required
def record_new(request):
    depts = [d for d in user_departments(request.user) if d.type != Department.Type.TRADING_CENTRE]
    if not depts:
        raise Forbidden("只有行政监督部门可以记录信用信息")
    form = RecordForm(request.POST or None, initial={"valid_from": timezone.localdate(), "publishable": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        measures = []
        if d["measure_kind"]:
            if not d["measure_starts_on"]:
                form.add_error("measure_starts_on", "请填写措施起始日")
            else:
                measures = [services.MeasureInput(d["measure_kind"], d["measure_domains"], d["measure_starts_on"],
                                                  d["measure_ends_on"])]
        if not form.errors:
            try:
                subject = services.ensure_subject(actor=request.user, type=d["subject_type"], code=d["subject_code"],
                                                  name=d["subject_name"])
                rec = services.record_sanction(
                    actor=request.user, department=depts[0], subject=subject, kind=d["kind"],
                    decision_number=d["decision_number"], decided_on=d["decided_on"], facts=d["facts"],
                    legal_basis=d["legal_basis"], penalty=d["penalty"], valid_from=d["valid_from"],
                    valid_until=d["valid_until"], serious=d["serious"], publishable=d["publishable"],
                    measures=measures)
            except DomainError as exc:
                add_domain_error(form, exc, {"code": "subject_code", "name": "subject_name", "type": "subject_type",
                                             "measures": "measure_domains"})
            else:
                messages.success(request, f"已记录 {rec.decision_number}")
                return redirect("credit:record", pk=rec.pk)
    return render(request, "credit/record_form.html", {"form": form, "department": depts[0]},
                  status=400 if form.errors else 200)


def _record(user, pk) -> CreditRecord:
    rec = _my_records(user).filter(pk=pk).first()
    if rec is None:
        raise NotFound("未找到该信用记录。")
    return rec


@login_required
def record_detail(request, pk: int):
    rec = _record(request.user, pk)
    return render(request, "credit/record_detail.html", {
        "rec": rec, "measures": rec.measures.order_by("domain"), "clocks": clocks_for(rec),
        "events": timeline(rec), "mine": rec.department in user_departments(request.user),
        "log": selectors.query_log_for(request.user, rec.subject)[:100]})


@login_required
@require_POST
def record_action(request, pk: int, name: str):
    rec = _record(request.user, pk)
    text = request.POST.get("text", "")
    if name == "repair":
        services.repair_record(actor=request.user, rec=rec, decision=text)
        messages.success(request, "已信用修复，惩戒措施即时失效")
    elif name == "withdraw":
        services.withdraw_record(actor=request.user, rec=rec, reason=text)
        messages.success(request, "已撤销该记录")
    elif name == "confirm_push":
        services.confirm_push(actor=request.user, rec=rec, note=text)
        messages.success(request, "已确认报送信用平台")
    else:
        raise DomainError(f"未知操作：{name}")
    return redirect("credit:record", pk=rec.pk)


@login_required
def notice_detail(request, pk: int):
    notice = ExpertBanNotice.objects.filter(pk=pk, to_department__in=user_departments(request.user)).select_related(
        "record__subject", "record__department").first()
    if notice is None:
        raise NotFound("未找到该通报。")
    if request.method == "POST":
        services.acknowledge_ban(actor=request.user, notice=notice)
        messages.success(request, "已确认收到通报")
        return redirect("credit:notice", pk=pk)
    return render(request, "credit/notice.html", {"notice": notice, "clocks": clocks_for(notice)})


@login_required
def export_penalties(request):
    """The standard export file of administrative penalties for the credit platform (CSV, UTF-8 with BOM)."""
    rows = _my_records(request.user).filter(kind=CreditRecord.Kind.PENALTY, publishable=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('行政处罚信息.csv')}"
    response.write("\ufeff")
    writer = None
    for rec in rows:
        data = services.penalty_payload(rec)
        if writer is None:
            writer = SafeDictWriter(response, fieldnames=list(data))
            writer.writeheader()
        writer.writerow(data)
    if writer is None:
        response.write("（无可报送的行政处罚信息）\n")
    return response

