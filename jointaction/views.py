"""Pages for assistance letters and joint actions: the same services as the API, rendered with
templates/jointaction/."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.attachments.selectors import visible_of
from casework.clocks.services import clocks_for
from casework.errors import DomainError, NotFound
from casework.events.services import timeline_of
from casework.forms import add_domain_error
from casework.letters import signoff
from casework.letters.services import readable_ids
from casework.listing import list_page
from casework.org.models import Department
from casework.org.selectors import user_departments
from casework.savedviews.views import lists_saved_views
from jointaction import selectors, services
from jointaction.forms import (
    ActionForm,
    AssistanceForm,
    ConcludeForm,
    FindingForm,
    PlanForm,
    PublishForm,
    ReasonsForm,
    ReplyForm,
    ReportForm,
    ResultForm,
)
from jointaction.models import AssistanceRequest, JointAction, Participant


def _department(pk) -> Department:
    dept = Department.objects.filter(pk=pk or 0, active=True).first()
    if dept is None:
        raise DomainError("未找到该单位")
    return dept


def _readable(user, letters) -> list:
    ids = readable_ids(user, letters)
    return [x for x in letters if x.pk in ids]


@login_required
def index(request):
    mine = user_departments(request.user)
    assistance = selectors.visible_assistance(request.user)
    actions = selectors.visible_actions(request.user).prefetch_related("participants__department")
    return render(request, "jointaction/index.html", {
        "received": assistance.filter(assistant__in=mine)[:100],
        "sent": assistance.filter(requester__in=mine)[:100],
        "others": assistance.exclude(assistant__in=mine).exclude(requester__in=mine)[:100],
        "actions": actions[:100],
        "can_initiate": any(d.is_supervising for d in mine),
    })


@login_required
@lists_saved_views
def assistance_list(request):
    """Every assistance letter the user may see, found, filtered, paged and exported one way (casework.listing)."""
    return list_page(request, selectors.assistance_list_ledger(request.user),
                     template="jointaction/assistance_list.html")


@login_required
@lists_saved_views
def action_list(request):
    return list_page(request, selectors.action_list_ledger(request.user), template="jointaction/action_list.html",
                     context={"can_initiate": any(d.is_supervising for d in user_departments(request.user))})


# --- assistance ---------------------------------------------------------------------------------------------
@login_required
def assistance_new(request):
    departments = user_departments(request.user)
    if not departments:
        raise DomainError("您不属于任何单位，不能发出协助办理函")
    if request.method == "POST":
        form = AssistanceForm(request.POST, request.FILES, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                req, created = services.request_assistance(
                    actor=request.user, requester=_department(data["requester"]),
                    assistant=_department(data["assistant"]), case_name=data["case_name"],
                    case_summary=data["case_summary"], matters=data["matters"], reasons=data["reasons"],
                    materials=data["materials"], uploads=data["files"], reply_by=data["reply_by"],
                    delivered_on=data.get("delivered_on"),
                    submission_key=data["submission_key"])
            except DomainError as exc:
                if exc.status != 400:
                    raise
                add_domain_error(form, exc)
            else:
                if created:
                    messages.success(request, f"协助办理函已发出：{req.request_letter.doc_number}")
                    for warning in getattr(req, "warnings", []):
                        messages.warning(request, warning)
                else:
                    messages.info(request, f"该协助办理函已发出过（{req.reference}），未重复发送")
                return redirect(req)
    else:
        form = AssistanceForm(departments=departments, initial={"submission_key": uuid.uuid4().hex})
    return render(request, "jointaction/assistance_form.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _assistance(request, pk) -> AssistanceRequest:
    req = selectors.visible_assistance(request.user).filter(pk=pk).first()
    if req is None:
        raise NotFound("未找到该协助办理事项")
    return req


@login_required
def assistance_detail(request, pk: int, **forms):
    req = _assistance(request, pk)
    mine = user_departments(request.user)
    clocks = list(clocks_for(req.handoff).select_related("department", "rule_version").order_by("started_at", "id"))
    return render(request, "jointaction/assistance_detail.html", {
        "req": req, "is_assistant": req.assistant in mine, "is_requester": req.requester in mine,
        "letters": _readable(request.user, req.letters), "files": visible_of(request.user, req), "clocks": clocks,
        "events": timeline_of([req, req.handoff, *clocks, *req.letters]),
        "return_form": forms.get("return_form") or ReasonsForm(),
        "result_form": forms.get("result_form") or ResultForm(),
    }, status=400 if forms else 200)


@login_required
@require_POST
def assistance_action(request, pk: int, name: str):
    req = _assistance(request, pk)
    try:
        if name == "accept":
            services.accept_assistance(actor=request.user, request=req)
            messages.success(request, "已决定协助办理，并告知请求单位")
        elif name == "return":
            services.return_assistance(actor=request.user, request=req, reasons=request.POST.get("reasons", ""))
            messages.success(request, "已退回并书面说明理由")
        elif name == "result":
            services.report_assistance_result(actor=request.user, request=req, result=request.POST.get("result", ""),
                                              uploads=request.FILES.getlist("files"))
            messages.success(request, "已书面反馈协助办理结果")
        else:
            raise NotFound(f"未知操作：{name}")
    except DomainError as exc:
        if exc.status != 400 or name not in ("return", "result"):
            raise
        form = ReasonsForm(request.POST) if name == "return" else ResultForm(request.POST)
        form.is_valid()
        add_domain_error(form, exc)
        return assistance_detail(request, pk, **{f"{name}_form": form})
    return redirect(req)


# --- joint actions ----------------------------------------------------------------------------------------
@login_required
def action_new(request):
    departments = [d for d in user_departments(request.user) if d.is_supervising]
    if not departments:
        raise DomainError("联合执法、联合检查由行政监督部门发起；您所在单位可作为参与部门参加")
    if request.method == "POST":
        form = ActionForm(request.POST, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = services.start_action(
                    actor=request.user, initiator=_department(data["initiator"]), kind=data["kind"],
                    trigger=data["trigger"], trigger_note=data["trigger_note"], title=data["title"],
                    participants=list(Department.objects.filter(pk__in=data["participants"])))
            except DomainError as exc:
                if exc.status != 400:
                    raise
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已发起：{action.reference}。请起草方案并征求参与部门意见。")
                return redirect(action)
    else:
        form = ActionForm(departments=departments)
    return render(request, "jointaction/action_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _action(request, pk) -> JointAction:
    action = selectors.visible_actions(request.user).filter(pk=pk).first()
    if action is None:
        raise NotFound("未找到该联合行动")
    return action


def _plan_initial(action: JointAction) -> dict:
    current = action.current_version
    if current is None:
        return {"based_on": 0}
    initial = {name: getattr(current, name) for name, _ in current.FIELDS}
    initial.update({f"duty_{code}": text for code, text in current.duties.items()})
    initial.update({"based_on": current.number, "initiator_staff": "\n".join(current.initiator_staff),
                    "reply_by": current.reply_by})
    return initial


def _report_initial(action) -> dict:
    """The people's government of the initiator's jurisdiction: its platform account where it has one."""
    name = f"{action.initiator.jurisdiction.name}人民政府"
    government = Department.objects.filter(jurisdiction=action.initiator.jurisdiction, active=True,
                                           name__endswith="人民政府").order_by("code").first()
    return {"addressee": government.pk} if government else {"addressee_name": name}


@login_required
def action_detail(request, pk: int, **forms):
    action = _action(request, pk)
    mine = set(user_departments(request.user))
    participants = list(action.participants.select_related("department"))
    departments = services.action_departments(action)
    versions = list(action.versions.prefetch_related("replies__department").order_by("-number"))
    current = versions[0] if versions else None
    my_pending = [p.department for p in participants
                  if p.department in mine and p.reply != Participant.Reply.CONFIRMED
                  and not (current and p.replied_version == current.number)]
    names = {d.code: d.name for d in departments}
    for v in versions:
        v.duty_rows = [(names.get(code, code), text) for code, text in v.duties.items()]
    findings = list(action.findings.select_related("department", "clue"))
    letters = _readable(request.user, [x for x in (action.report_letter, action.notice_letter) if x])
    clocks = list(clocks_for(action).select_related("department", "rule_version").order_by("-started_at", "id"))
    context = {
        "action": action, "participants": participants, "versions": versions, "current": current,
        "is_initiator": action.initiator in mine, "my_departments": [d for d in departments if d in mine],
        "findings": findings, "letters": letters, "clocks": clocks,
        "events": timeline_of([action, *clocks, *[x for x in (action.report_letter, action.notice_letter) if x]]),
        "plan_form": forms.get("plan_form") or PlanForm(departments=departments, initial=_plan_initial(action)),
        "reply_forms": [(d, forms.get("reply_form") if forms.get("reply_department") == d else ReplyForm(
            departments=[d], initial={"department": d.pk, "version": current.number if current else 0,
                                      "decision": "confirm"})) for d in my_pending],
        "finding_form": forms.get("finding_form") or FindingForm(
            departments=[d for d in departments if d in mine],
            initial={"submission_key": uuid.uuid4().hex, "handling": "own"}),
        "conclude_form": forms.get("conclude_form") or ConcludeForm(),
        "report_form": forms.get("report_form") or ReportForm(initial=_report_initial(action)),
        "report_draft": signoff.pending_for(action, services.REPORT_PURPOSE) if not action.report_letter_id else None,
        "publish_form": forms.get("publish_form") or PublishForm(),
    }
    return render(request, "jointaction/action_detail.html", context, status=400 if forms else 200)


@login_required
def action_plan_print(request, pk: int):
    """The joint action's plan on paper (行动方案): the settled version, or the latest one marked 征求意见稿, with
    its duties and the staff each department sends; free text masked as on the action's page."""
    from django.utils import timezone

    action = _action(request, pk)
    version = action.settled_version or action.current_version
    if version is None:
        raise NotFound("该联合行动尚未起草方案")
    names = {d.code: d.name for d in services.action_departments(action)}
    participants = list(action.participants.select_related("department").order_by("department__code"))
    sent = {r.department_id: r.staff for r in version.replies.all() if r.confirmed}  # confirmed this version
    staff = [(action.initiator.name, version.initiator_staff)] + [
        (p.department.name, sent.get(p.department_id, [])) for p in participants]
    return render(request, "jointaction/plan_print.html", {
        "action": action, "version": version, "settled": action.settled_version_id == version.pk,
        "participants": participants,
        "duties": [(names.get(code, code), text) for code, text in version.duties.items()], "staff": staff,
        "printed_at": timezone.localtime(), "printed_by": request.user})


@login_required
@require_POST
def action_step(request, pk: int, name: str):
    action = _action(request, pk)
    user, post = request.user, request.POST
    departments = services.action_departments(action)
    if name == "plan":
        form = PlanForm(post, departments=departments)
        if form.is_valid():
            d = form.cleaned_data
            try:
                version = services.propose_plan(
                    actor=user, action=action, purpose=d["purpose"], targets=d["targets"], scope=d["scope"],
                    content=d["content"], schedule=d["schedule"], method=d["method"], steps=d["steps"],
                    duties=form.duties(), initiator_staff=d["initiator_staff"], reply_by=d["reply_by"],
                    change_note=d["change_note"], based_on=d["based_on"])
            except DomainError as exc:
                if exc.status != 400:
                    raise
                add_domain_error(form, exc)
            else:
                messages.success(request, f"方案第{version.number}版已发送参与部门会签")
                return redirect(action)
        return action_detail(request, pk, plan_form=form)
    if name == "reply":
        dept = _department(post.get("department"))
        form = ReplyForm(post, departments=[dept])
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.reply_plan(actor=user, action=action, department=dept, version=d["version"],
                                    confirm=d["decision"] == "confirm", comment=d["comment"], staff=d["staff"])
            except DomainError as exc:
                if exc.status != 400:
                    raise
                add_domain_error(form, exc)
            else:
                messages.success(request, "已确认方案" if d["decision"] == "confirm" else "已提出修改意见")
                return redirect(action)
        return action_detail(request, pk, reply_form=form, reply_department=dept)
    if name == "finding":
        form = FindingForm(post, departments=departments)
        if form.is_valid():
            d = form.cleaned_data
            try:
                dept = _department(d["department"])
                if d["handling"] == "refer":
                    receiver = Department.objects.filter(pk=d["receiver"] or 0).first()
                    finding = services.refer_finding(
                        actor=user, action=action, department=dept, target=d["target"],
                        project_code=d["project_code"], description=d["description"], receiver=receiver,
                        matter=d["matter"], legal_basis=d["legal_basis"], materials=d["materials"],
                        submission_key=d["submission_key"])
                    messages.success(request, f"已记录并移送，线索编号 {finding.clue.reference}")
                else:
                    services.record_finding(actor=user, action=action, department=dept, target=d["target"],
                                            project_code=d["project_code"], description=d["description"],
                                            measures=d["measures"], submission_key=d["submission_key"])
                    messages.success(request, "已记录发现的问题")
            except DomainError as exc:
                if exc.status != 400:
                    raise
                add_domain_error(form, exc)
            else:
                return redirect(action)
        return action_detail(request, pk, finding_form=form)
    simple = {"conclude": (ConcludeForm, lambda d: services.conclude_action(actor=user, action=action,
                                                                              summary=d["summary"]), "行动已结束"),
              "report": (ReportForm, lambda d: services.issue_report(
                  actor=user, action=action, addressee=d["addressee"], addressee_name=d["addressee_name"]),
                  "已统一上报"),
              "publish": (PublishForm, lambda d: services.publish_action(actor=user, action=action,
                                                                         public_text=d["public_text"]), "已统一公布")}
    if name not in simple:
        raise NotFound(f"未知操作：{name}")
    form_class, call, done = simple[name]
    form = form_class(post)
    if form.is_valid():
        try:
            with transaction.atomic():
                result = call(form.cleaned_data)
        except DomainError as exc:
            if exc.status != 400:
                raise
            add_domain_error(form, exc)
        else:
            if getattr(result, "report_draft", None) is not None:
                done = "情况报告已报请本单位负责人签发，签发后自动报送"
            messages.success(request, done)
            return redirect(action)
    return action_detail(request, pk, **{f"{name}_form": form})


def public(request):
    """统一公布: every published joint action, for everyone."""
    return render(request, "jointaction/public.html", {"actions": selectors.published_actions()[:100]})
