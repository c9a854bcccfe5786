"""Complaint pages: public filing, receipt, tracking and published outcomes (no login); staff lists,
offline recording and the case page. The same services as the API."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework import ratelimit
from casework.attachments.selectors import visible_of
from casework.clocks.services import clocks_for
from casework.errors import DomainError, NotFound
from casework.events.services import timeline
from casework.forms import add_domain_error
from casework.letters.services import letter_bytes
from casework.org.models import Department
from casework.org.selectors import user_departments
from casework.savedviews.views import lists_saved_views
from complaints import selectors, services
from complaints.forms import OFFICE, ComplaintForm, OfflineComplaintForm, ReportForm, TrackForm
from complaints.models import Complaint

SESSION_RECEIPT, SESSION_TRACKED = "complaint_receipt", "complaints_tracked"


def _input(form) -> services.ComplaintInput:
    d = form.cleaned_data
    return services.ComplaintInput(
        complainant_type=d["complainant_type"], complainant_name=d["complainant_name"],
        complainant_id_number=d["complainant_id_number"], contact_phone=d["contact_phone"],
        contact_email=d["contact_email"], contact_address=d["contact_address"], project_code=d["project_code"],
        project_name=d["project_name"], trading_type=d["trading_type"], grounds_category=d["grounds_category"],
        grounds=d["grounds"], requested_outcome=d["requested_outcome"], objection_filed=d["objection_filed"],
        objection_date=d["objection_date"], objection_reply=d["objection_reply"], received_on=d.get("received_on"),
        **form.receiver_fields())


RECEIVER = {"department": "receiver", "jurisdiction": "receiver"}  # the service's names for the form's one field


def _with_captcha(request, form):
    """After a few submissions from one address, the public forms ask for a local image CAPTCHA."""
    if not request.user.is_authenticated and ratelimit.captcha_required(request):
        from captcha.fields import CaptchaField

        form.fields["captcha"] = CaptchaField(label="验证码（看不清可刷新页面换一张）", error_messages={
            "invalid": "验证码不正确，请重新输入", "required": "请输入图中的验证码"})
    return form


@ratelimit.limit("complaint_file")
def file_complaint(request):
    """Public: file a complaint online, no account needed."""
    form = _with_captcha(request, ComplaintForm(request.POST or None, request.FILES or None,
                                                initial={"submission_key": uuid.uuid4().hex}))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.file_complaint(data=_input(form), channel=Complaint.Channel.ONLINE,
                                             submission_key=f"web:{form.cleaned_data['submission_key']}",
                                             actor=request.user if request.user.is_authenticated else None,
                                             files=form.cleaned_data["files"])
        except DomainError as exc:
            add_domain_error(form, exc, RECEIVER)
        else:
            if not request.user.is_authenticated:
                ratelimit.count_public_submission(request)
            if result.duplicate_of_content:
                return render(request, "complaints/duplicate.html", {"complaint": result.complaint}, status=200)
            request.session[SESSION_RECEIPT] = {"id": result.complaint.pk, "secret": result.secret}
            return redirect("complaints:receipt")
    return render(request, "complaints/file.html", {"form": form}, status=400 if form.errors else 200)


@ratelimit.limit("complaint_report")
def report(request):
    """Public: an anonymous report, handled as a clue by the department it goes to."""
    from casework.org.models import Jurisdiction
    from casework.org.selectors import supervision_office_for
    from referrals import services as referrals

    form = _with_captcha(request, ReportForm(request.POST or None, initial={"submission_key": uuid.uuid4().hex}))
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["receiver"]
        if value.startswith(OFFICE):
            jurisdiction = Jurisdiction.objects.filter(code=value[len(OFFICE):]).first()
            department = supervision_office_for(jurisdiction) if jurisdiction else None
        else:
            department = Department.objects.filter(code=value, active=True).first()
        if department is None:
            form.add_error("receiver", "请选择受理部门")
        else:
            try:
                result = referrals.intake_report(department=department, project_code=form.cleaned_data["project_code"],
                                                 project_name=form.cleaned_data["project_name"],
                                                 summary=form.cleaned_data["summary"],
                                                 submission_key=form.cleaned_data["submission_key"])
            except DomainError as exc:
                add_domain_error(form, exc, RECEIVER)
            else:
                ratelimit.count_public_submission(request)
                return render(request, "complaints/report_done.html", {"clue": result.clue})
    return render(request, "complaints/report.html", {"form": form}, status=400 if form.errors else 200)


def receipt(request):
    data = request.session.get(SESSION_RECEIPT)
    complaint = Complaint.objects.filter(pk=(data or {}).get("id")).first()
    if complaint is None:
        return redirect("complaints:file")
    return render(request, "complaints/receipt.html", {"complaint": complaint, "secret": data["secret"]})


@ratelimit.limit("complaint_track")
def track(request):
    """Public: follow one's own complaint with the code and the secret."""
    form = TrackForm(request.POST or None)
    complaint = None
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.track(tracking_code=form.cleaned_data["tracking_code"],
                                       secret=form.cleaned_data["secret"])
        except NotFound as exc:
            form.add_error(None, exc.message)
        else:
            tracked = set(request.session.get(SESSION_TRACKED, []))
            tracked.add(complaint.pk)
            request.session[SESSION_TRACKED] = sorted(tracked)
    history = selectors.tracking_history(complaint) if complaint is not None else {}
    return render(request, "complaints/track.html", {"form": form, "complaint": complaint, **history},
                  status=404 if form.non_field_errors() else 200)


def track_letter(request, pk: int):
    """Public: the decision (or notice) for a complaint this browser has opened with its secret."""
    if pk not in request.session.get(SESSION_TRACKED, []):
        raise NotFound("请先用查询码和查询密码查询。")
    complaint = Complaint.objects.select_related("decision_letter").filter(pk=pk).first()
    if complaint is None or complaint.decision_letter is None:
        raise NotFound("尚无可下载的文书。")
    services.record_delivery(complaint)
    response = HttpResponse(letter_bytes(complaint.decision_letter), content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename=decision.pdf"
    response["Cache-Control"] = "private, no-store"
    return response


def published(request):
    """Public: published outcomes, the complainant removed."""
    from casework import privacy

    rows = list(selectors.published_complaints()[:200])
    for c in rows:  # masked again on the way out: an outcome published before the masking service stays safe
        c.publication_text = privacy.mask_for(c, c.publication_text)
    return render(request, "complaints/published.html", {"complaints": rows})


@login_required
@lists_saved_views
def complaint_list(request):
    from casework.listing import list_page

    # A list never shows the original identity (the case page does, to the cleared, and records the read).
    can_record = any(d.type != Department.Type.TRADING_CENTRE for d in user_departments(request.user))
    return list_page(request, selectors.complaint_ledger(request.user), template="complaints/list.html",
                     prepare=lambda rows: [(c, services.identity_for(None, c)) for c in rows],
                     context={"can_record": can_record})


@login_required
def record_offline(request):
    depts = [d for d in user_departments(request.user) if d.type != Department.Type.TRADING_CENTRE]
    if not depts:
        raise DomainError("只有行政监督部门的工作人员可以登记线下投诉")
    form = OfflineComplaintForm(request.POST or None, request.FILES or None,
                                initial={"submission_key": uuid.uuid4().hex,
                                                               "receiver": depts[0].code})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.file_complaint(data=_input(form), channel=form.cleaned_data["channel"],
                                             submission_key=f"web:{form.cleaned_data['submission_key']}",
                                             actor=request.user, files=form.cleaned_data["files"])
        except DomainError as exc:
            add_domain_error(form, exc, RECEIVER)
        else:
            if result.created:
                messages.success(request, f"已登记线下投诉 {result.complaint.reference}。查询码 "
                                          f"{result.complaint.tracking_code}，查询密码 {result.secret}（请告知投诉人）")
            else:
                messages.info(request, f"该投诉已登记过（{result.complaint.reference}），未重复登记")
            return redirect(result.complaint)
    return render(request, "complaints/file.html", {"form": form, "offline": True}, status=400 if form.errors else 200)


@login_required
def detail(request, pk: int):
    complaint = selectors.get_complaint(request.user, pk)
    my = user_departments(request.user)
    handling = complaint.department in my
    from casework.rules.powers import has_power

    can = {power.split(".")[1]: handling and has_power(request.user, complaint.department, power)
           for power in ("complaint.triage", "complaint.decide", "complaint.publish", "clock.extend")}
    is_leader = can["extend"]
    cleared = services.can_see_identity(request.user, complaint)
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "identity": services.identity_for(request.user, complaint, where="complaint_page"),
        "texts": services.texts_for(request.user, complaint, cleared=cleared),
        "handling": handling, "is_leader": is_leader, "can": can,
        "clocks": clocks_for(complaint).select_related("department", "rule_version__rule"),
        "decision_clock": services.decision_clock(complaint), "events": timeline(complaint),
        "departments": Department.objects.filter(active=True).exclude(pk=complaint.department_id).exclude(
            type=Department.Type.TRADING_CENTRE).order_by("jurisdiction__code", "code"),
        "outcomes": Complaint.Outcome.choices,
        "can_open_letter": cleared,
        "incoming": services.incoming_transfer(complaint) if handling else None,
        "files": visible_of(request.user, complaint),
    })


@login_required
def printable(request, pk: int):
    """投诉书 / case summary on paper: what the complainant stated, the handling department, the clocks and the
    steps so far. The identity follows the same rule as the case page (shown and recorded only to the cleared)."""
    complaint = selectors.get_complaint(request.user, pk)
    cleared = services.can_see_identity(request.user, complaint)
    return render(request, "complaints/print.html", {
        "complaint": complaint, "identity": services.identity_for(request.user, complaint, where="complaint_print"),
        "texts": services.texts_for(request.user, complaint, cleared=cleared),
        "clocks": clocks_for(complaint).select_related("department", "rule_version__rule"),
        "events": timeline(complaint), "files": visible_of(request.user, complaint),
        "printed_at": timezone.localtime(), "printed_by": request.user})


@login_required
@require_POST
def action(request, pk: int, name: str):
    complaint = selectors.get_complaint(request.user, pk)
    user, post = request.user, request.POST
    if name == "accept":
        services.accept_complaint(actor=user, complaint=complaint)
        messages.success(request, "已受理，处理决定期限开始计算")
    elif name == "refuse":
        services.refuse_complaint(actor=user, complaint=complaint, reasons=post.get("reasons", ""))
        messages.success(request, "已作出不予受理决定并生成告知书")
    elif name == "redirect":
        services.redirect_complaint(actor=user, complaint=complaint, competent=post.get("competent", ""))
        messages.success(request, "已书面告知投诉人向有管辖权的部门投诉")
    elif name == "transfer":
        to = Department.objects.filter(pk=post.get("to") or 0).first()
        if to is None:
            raise DomainError.for_field("to", "请选择移交的部门")
        services.transfer_complaint(actor=user, complaint=complaint, to=to, reasons=post.get("reasons", ""))
        messages.success(request, f"已移交{to.name}")
    elif name == "sign":
        services.sign_transfer_receipt(actor=user, complaint=complaint)
        messages.success(request, "已签收移交回执")
    elif name == "return":
        services.return_complaint(actor=user, complaint=complaint, reasons=post.get("reasons", ""))
        messages.success(request, "已书面说明理由退回")
    elif name == "extend":
        clock = services.decision_clock(complaint)
        if clock is None:
            raise DomainError("尚未受理，没有处理期限可延长")
        try:
            units = int(post.get("units", ""))
        except ValueError as exc:
            raise DomainError.for_field("units", "延长时限须为整数") from exc
        from casework.clocks.services import extend_clock

        extend_clock(actor=user, clock=clock, units=units, reason=post.get("reason", ""))
        messages.success(request, f"已批准延期 {units} 个工作日")
    elif name == "decide":
        services.decide_complaint(actor=user, complaint=complaint, outcome=post.get("outcome", ""),
                                  decision=post.get("decision", ""))
        messages.success(request, "已作出处理决定，投诉人可在查询页面查看决定书")
    elif name == "publish":
        services.publish_decision(actor=user, complaint=complaint)
        messages.success(request, "已公开处理结果（已隐去投诉人信息）")
    else:
        raise DomainError(f"未知操作：{name}")
    return redirect(complaint)
