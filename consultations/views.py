"""Pages of the consultation mechanism: the same services as the API, rendered with templates/consultations/.
Each POST validates its form, calls one service, shows the service's field errors on that form (400) or
redirects with a message; refusals (403/404/409) are rendered by casework's DomainErrorMiddleware."""

import uuid
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from casework.attachments.selectors import visible_of
from casework.errors import DomainError, Forbidden, NotFound
from casework.exports import SafeWriter
from casework.forms import add_domain_error
from casework.letters.services import letter_bytes
from casework.org.models import Department
from casework.org.selectors import user_departments
from casework.savedviews.views import lists_saved_views
from consultations import forms as f
from consultations import selectors, services
from consultations.models import (
    AgendaItem,
    CommentReply,
    ContactRole,
    Decision,
    Invitation,
    Mechanism,
    Meeting,
    Solicitation,
)


def _submit(request, form, call, *, page, name: str, success, aliases=None):
    """Run `call(cleaned_data)` for a valid form; a 400 DomainError lands on the form and the page is shown again
    with status 400; anything else the service refuses is rendered by the middleware."""
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except DomainError as exc:
            if exc.status != 400:
                raise
            add_domain_error(form, exc, aliases)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return None
    return page(status=400, **{name: form})


def _mine(request) -> set[Department]:
    return set(user_departments(request.user))


def _active_members(mechanism: Mechanism):
    return Department.objects.filter(consultation_memberships__mechanism=mechanism, active=True).order_by("code")


def _joint_form(data=None, *, departments, **kwargs):
    from jointaction.models import JointAction, Trigger

    return f.JointActionForm(data, departments=departments, kinds=JointAction.Kind.choices, triggers=Trigger.choices,
                             **kwargs)


# --- the mechanism ---------------------------------------------------------------------------------------
@login_required
def index(request):
    mechanisms = list(selectors.visible_mechanisms(request.user))
    if len(mechanisms) == 1:
        return redirect(mechanisms[0])
    offices = [d for d in user_departments(request.user)
               if d.is_supervision_office and not Mechanism.objects.filter(jurisdiction=d.jurisdiction).exists()]
    return render(request, "consultations/index.html", {"mechanisms": mechanisms, "can_establish": bool(offices)})


@login_required
def establish(request):
    lead = next((d for d in user_departments(request.user) if d.is_supervision_office), None)
    if lead is None:
        raise Forbidden("会商机制由综合监管部门牵头建立")
    departments = Department.objects.filter(jurisdiction=lead.jurisdiction, active=True).exclude(pk=lead.pk)

    def page(status=200, form=None):
        form = form or f.EstablishForm(departments=departments, initial={
            "name": f"{lead.jurisdiction.name}公共资源交易协同监管会商机制", "established_on": timezone.localdate(),
            "members": list(departments)})
        return render(request, "consultations/establish.html", {"form": form, "lead": lead}, status=status)

    if request.method == "POST":
        form = f.EstablishForm(request.POST, departments=departments)
        created = []
        response = _submit(request, form, lambda d: created.append(services.establish_mechanism(
            actor=request.user, lead=lead, name=d["name"], basis=d["basis"], established_on=d["established_on"],
            members=list(d["members"]))), page=page, name="form",
            success="会商机制已建立，已通知各成员单位报送责任领导和联络员")
        return response or redirect(created[0])
    return page()


def _mechanism_page(request, mechanism: Mechanism, status=200, **forms):
    mine = _mine(request)
    is_lead = mechanism.lead in mine
    member_depts = {m.department for m in mechanism.members.select_related("department")}
    outsiders = [d for d in mine if d.jurisdiction_id == mechanism.jurisdiction_id and d not in member_depts]
    acting = [d for d in mine if d in member_depts]
    next_regular = selectors.next_regular(mechanism)
    applications = list(
        mechanism.applications.select_related("department").order_by("status", "-submitted_at")[:50]
        if selectors.oversees(request.user, mechanism) else
        mechanism.applications.filter(department__in=mine).select_related("department"))
    for a in applications:
        a.form = forms.get(f"decide_{a.pk}") or f.DecideForm(prefix=f"a{a.pk}")
    context = {
        "mechanism": mechanism, "is_lead": is_lead, "acting": acting,
        "member_count": len(member_depts), "next_regular": next_regular,
        "regular_overdue": bool(next_regular and next_regular.clock and next_regular.clock.due_at <= timezone.now()),
        "periods": selectors.periods(mechanism)[:12],
        "meetings": selectors.visible_meetings(request.user, mechanism)[:50],
        "solicitations": selectors.visible_solicitations(request.user, mechanism)[:50],
        "mine": selectors.my_open_items(request.user, mechanism),
        "applications": applications,
        "apply_form": forms.get("apply_form") or (f.ApplyForm(departments=Department.objects.filter(
            pk__in=[d.pk for d in outsiders])) if outsiders else None),
    }
    return render(request, "consultations/mechanism.html", context, status=status)


@login_required
def mechanism_detail(request, pk: int):
    return _mechanism_page(request, selectors.get_mechanism(request.user, pk))


@login_required
@require_POST
def apply(request, pk: int):
    mechanism = selectors.get_mechanism(request.user, pk)
    form = f.ApplyForm(request.POST, departments=Department.objects.filter(
        pk__in=[d.pk for d in user_departments(request.user)]))

    def call(d):
        return services.apply_to_join(
            actor=request.user, mechanism=mechanism, department=d["department"], reason=d["reason"],
            leader=services.Contact(d["leader_name"], d["leader_post"], d["leader_phone"]),
            liaison=services.Contact(d["liaison_name"], d["liaison_post"], d["liaison_phone"]))

    response = _submit(request, form, call, name="apply_form", success="已提交加入申请，等待牵头部门审核",
                       page=lambda status, **kw: _mechanism_page(request, mechanism, status, **kw))
    return response or redirect(mechanism.get_absolute_url() + "#applications")


@login_required
@require_POST
def decide_application(request, pk: int, aid: int, verdict: str):
    mechanism = selectors.get_mechanism(request.user, pk)
    application = mechanism.applications.filter(pk=aid).first()
    if application is None or verdict not in ("approve", "decline"):
        raise NotFound("未找到该申请。")
    approve = verdict == "approve"
    response = _submit(request, f.DecideForm(request.POST, prefix=f"a{application.pk}"),
                       lambda d: services.decide_application(actor=request.user, application=application,
                                                             approve=approve, reasons=d["reasons"]),
                       name=f"decide_{application.pk}",
                       success=f"已{'同意' if approve else '不同意'}{application.department.name}加入",
                       page=lambda status, **kw: _mechanism_page(request, mechanism, status, **kw))
    return response or redirect(mechanism.get_absolute_url() + "#applications")


# --- member units ------------------------------------------------------------------------------------------
def _members_page(request, mechanism: Mechanism, status=200, **forms):
    mine = _mine(request)
    members = list(selectors.members(mechanism))
    for m in members:
        m.mine = m.department in mine
        m.form = forms.get(f"contacts_{m.pk}") or f.ContactsForm(prefix=f"m{m.pk}")
    is_lead = mechanism.lead in mine
    return render(request, "consultations/members.html", {
        "mechanism": mechanism, "members": members, "is_lead": is_lead,
        "note_form": forms.get("note_form") or (f.NoteChangeForm(members=mechanism.members.select_related(
            "department")) if is_lead else None),
        "changes": selectors.recent_changes(mechanism), "roles": ContactRole.choices,
    }, status=status)


@login_required
def member_list(request, pk: int):
    return _members_page(request, selectors.get_mechanism(request.user, pk))


@login_required
@require_POST
def report_contacts(request, pk: int, mid: int):
    mechanism = selectors.get_mechanism(request.user, pk)
    member = selectors.get_member(mechanism, mid)
    form = f.ContactsForm(request.POST, prefix=f"m{member.pk}")

    def call(d):
        return services.report_contacts(actor=request.user, member=member, role=d["role"],
                                        contact=services.Contact(d["name"], d["post"], d["phone"]),
                                        changed_on=d["changed_on"])

    def done(change):
        if change is None:
            return "已报送"
        late = change.clock is not None and change.clock.state == "breached"
        return f"已报送人员变动{'（已超过报送时限，记录为逾期报送）' if late else ''}"

    response = _submit(request, form, call, name=f"contacts_{member.pk}", success=done,
                       page=lambda status, **kw: _members_page(request, mechanism, status, **kw))
    return response or redirect(member.get_absolute_url())


@login_required
@require_POST
def note_change(request, pk: int):
    mechanism = selectors.get_mechanism(request.user, pk)
    form = f.NoteChangeForm(request.POST, members=mechanism.members.select_related("department"))
    response = _submit(request, form, lambda d: services.note_contact_change(
        actor=request.user, member=d["member"], role=d["role"], changed_on=d["changed_on"], note=d["note"]),
        name="note_form", success="已登记人员变动，并通知该单位在时限内报送",
        page=lambda status, **kw: _members_page(request, mechanism, status, **kw))
    return response or redirect("consultations:members", pk=mechanism.pk)


CSV_HEADER = ["单位", "单位类型", "牵头部门", "责任领导", "职务", "电话", "联络员", "职务", "电话", "加入日期",
              "人员信息更新时间", "待报送变动"]


@login_required
@require_GET
def member_csv(request, pk: int):
    """The member list with contacts (UTF-8 with BOM, opens in Excel/WPS)."""
    mechanism = selectors.get_mechanism(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{mechanism.name}成员单位名单（{timezone.localdate():%Y%m%d}）.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.write("\ufeff")
    writer = SafeWriter(response)
    writer.writerow(CSV_HEADER)
    for m in selectors.members(mechanism):
        writer.writerow([
            m.department.name, m.department.get_type_display(), "是" if m.is_lead else "",
            m.leader_name, m.leader_post, m.leader_phone, m.liaison_name, m.liaison_post, m.liaison_phone,
            m.joined_on.isoformat(),
            timezone.localtime(m.contacts_updated_at).strftime("%Y-%m-%d %H:%M") if m.contacts_updated_at else "",
            "；".join(f"{c.get_role_display()}（{c.changed_on:%Y-%m-%d}调整）" for c in m.pending_changes)])
    return response


@login_required
@require_GET
def member_print(request, pk: int):
    mechanism = selectors.get_mechanism(request.user, pk)
    return render(request, "consultations/members_print.html", {
        "mechanism": mechanism, "members": selectors.members(mechanism), "today": timezone.localdate()})


# --- meetings -----------------------------------------------------------------------------------------------
@login_required
def meeting_new(request, pk: int):
    mechanism = selectors.get_mechanism(request.user, pk)
    conveners = services.acting_departments(request.user, mechanism)
    if not conveners:
        raise Forbidden(f"只有{mechanism.name}成员单位的工作人员可以发起会商会议")
    convener_qs = Department.objects.filter(pk__in=[d.pk for d in conveners])
    members = _active_members(mechanism)

    def page(status=200, form=None):
        kind = request.GET.get("kind") if request.GET.get("kind") in Meeting.Kind.values else Meeting.Kind.AD_HOC
        form = form or f.MeetingForm(conveners=convener_qs, members=members, initial={
            "submission_key": uuid.uuid4().hex, "kind": kind, "convener": conveners[0],
            "scope": Meeting.Scope.MULTILATERAL})
        return render(request, "consultations/meeting_form.html", {"form": form, "mechanism": mechanism},
                      status=status)

    if request.method == "POST":
        form = f.MeetingForm(request.POST, conveners=convener_qs, members=members)
        created = []

        def call(d):
            created.append(services.schedule_meeting(
                actor=request.user, mechanism=mechanism, convener=d["convener"], submission_key=d["submission_key"],
                data=services.MeetingInput(kind=d["kind"], scope=d["scope"], title=d["title"], purpose=d["purpose"],
                                           place=d["place"], starts_at=d["starts_at"],
                                           reply_due_on=d["reply_due_on"], agenda=d["agenda"].splitlines(),
                                           invitees=list(d["invitees"]))))
            return created[0]

        response = _submit(request, form, call, page=page, name="form",
                           success=lambda m: f"会议通知已发出（{m.reference}），已通知受邀单位在答复期限内答复")
        return response or redirect(created[0])
    return page()


def _meeting_page(request, meeting: Meeting, status=200, **forms):
    mine = _mine(request)
    mechanism = meeting.mechanism
    is_convener = meeting.convener in mine
    is_lead = mechanism.lead in mine
    invitations = list(meeting.invitations.select_related("department", "clock", "replied_by"))
    for inv in invitations:
        inv.mine = inv.department in mine and not inv.is_convener
        if inv.mine:
            inv.form = forms.get(f"reply_{inv.pk}") or f.ReplyForm(prefix=f"r{inv.pk}", initial={
                "attending": "0" if inv.reply == Invitation.Reply.DECLINED else "1",
                "attendees": f.people_text(inv.attendees), "decline_reason": inv.decline_reason})
        inv.present_text = "\n".join(inv.present) if inv.present else "\n".join(p["name"] for p in inv.attendees)
    proposers = [i.department for i in invitations if i.department in mine]
    agenda = list(meeting.agenda.select_related("proposed_by"))
    adopted = AgendaItem.objects.filter(meeting=meeting, status=AgendaItem.Status.ADOPTED)
    members = _active_members(mechanism)
    escalations = list(meeting.escalations.select_related("report_letter", "government"))
    for esc in escalations:
        # the government's own staff record its decision; the lead only where the government has no account
        esc.can_record = esc.government in mine if esc.government_id else is_lead
        esc.form = forms.get(f"government_{esc.pk}") or f.GovernmentDecisionForm(
            prefix=f"g{esc.pk}", members=members, initial={"decided_on": timezone.localdate()})
    local_start = timezone.localtime(meeting.starts_at)
    context = {
        "meeting": meeting, "mechanism": mechanism, "is_convener": is_convener, "is_lead": is_lead,
        "invitations": invitations, "agenda": agenda,
        "decisions": meeting.decisions.select_related("owner", "clock").order_by("id"),
        "escalations": escalations,
        "agenda_form": forms.get("agenda_form") or (f.AgendaForm(departments=Department.objects.filter(
            pk__in=[d.pk for d in proposers])) if proposers else None),
        "record_form": forms.get("record_form") or f.RecordForm(initial={
            "held_at": local_start.strftime("%Y-%m-%dT%H:%M"), "place": meeting.place}),
        "decision_form": forms.get("decision_form") or f.DecisionForm(members=members, agenda=adopted),
        "escalation_form": forms.get("escalation_form") or f.EscalationForm(
            initial={"government": services.government_for(mechanism)}),
        "cancel_form": forms.get("cancel_form") or f.ReasonForm(),
        "events": selectors.meeting_timeline(meeting),
        "minutes_letter": meeting.minutes_letter,
        "meeting_files": visible_of(request.user, meeting, "meeting"),
        "minutes_files": visible_of(request.user, meeting, "minutes"),
        "file_departments": [d for d in [meeting.convener, *[i.department for i in invitations]] if d in mine],
        "files_error": forms.get("files_error", ""),
    }
    return render(request, "consultations/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request, pk: int):
    return _meeting_page(request, selectors.get_meeting(request.user, pk))


@login_required
@require_POST
def meeting_action(request, pk: int, action: str):
    meeting = selectors.get_meeting(request.user, pk)
    user, post = request.user, request.POST

    def page(status, **kw):
        return _meeting_page(request, meeting, status, **kw)

    if action == "reply":
        invitation = meeting.invitations.filter(pk=post.get("invitation") or 0).first()
        if invitation is None:
            raise NotFound("未找到该邀请。")
        form = f.ReplyForm(post, prefix=f"r{invitation.pk}")
        response = _submit(request, form, lambda d: services.reply_invitation(
            actor=user, invitation=invitation, attending=d["attending"], attendees=f.split_people(d["attendees"]),
            reason=d["decline_reason"]), page=page, name=f"reply_{invitation.pk}", success="已答复")
    elif action == "agenda":
        form = f.AgendaForm(post, departments=Department.objects.filter(pk__in=[d.pk for d in _mine(request)]))
        response = _submit(request, form, lambda d: services.propose_agenda_item(
            actor=user, meeting=meeting, department=d["department"], title=d["title"], description=d["description"]),
            page=page, name="agenda_form", success=lambda i: "议题已列入议程" if i.status == "adopted"
            else "议题已提出，待发起部门确定")
    elif action in ("adopt", "decline"):
        item = meeting.agenda.filter(pk=post.get("item") or 0).first()
        if item is None:
            raise NotFound("未找到该议题。")
        services.decide_agenda_item(actor=user, item=item, adopt=action == "adopt", reason=post.get("reason", ""))
        messages.success(request, "已列入议程" if action == "adopt" else "已决定不列入议程")
        response = None
    elif action == "record":
        form = f.RecordForm(post)
        attendance = {int(key[len("present_"):]): value.splitlines() for key, value in post.items()
                      if key.startswith("present_") and key[len("present_"):].isdigit()}
        response = _submit(request, form, lambda d: services.record_meeting(
            actor=user, meeting=meeting, held_at=d["held_at"], place=d["place"], chair=d["chair"],
            summary=d["summary"], attendance=attendance), page=page, name="record_form",
            success="已记录会议召开情况；请登记议定事项并印发会议纪要")
    elif action == "decision":
        form = f.DecisionForm(post, members=_active_members(meeting.mechanism),
                              agenda=AgendaItem.objects.filter(meeting=meeting))
        response = _submit(request, form, lambda d: services.add_decision(
            actor=user, meeting=meeting, text=d["text"], owner=d["owner"], due_on=d["due_on"],
            agenda_item=d["agenda_item"]), page=page, name="decision_form",
            success=lambda dec: f"已登记议定事项 {dec.reference}，已通知{dec.owner.name}")
    elif action == "files":
        department = next((d for d in _mine(request) if str(d.pk) == post.get("department")), None)
        if department is None:
            return page(400, files_error="请选择上传单位（本单位须为召集单位或受邀单位）")
        try:
            files = services.add_meeting_files(actor=user, meeting=meeting, department=department,
                                               uploads=request.FILES.getlist("files"),
                                               purpose=post.get("purpose") or "meeting")
        except DomainError as exc:
            if exc.status != 400:
                raise
            return page(400, files_error=str(exc))
        messages.success(request, f"已上传 {len(files)} 个文件，参会单位均可查阅")
        response = None
    elif action == "withdraw":
        decision = meeting.decisions.filter(pk=post.get("decision") or 0).first()
        if decision is None:
            raise NotFound("未找到该议定事项。")
        services.withdraw_decision(actor=user, decision=decision, reason=post.get("reason", ""))
        messages.success(request, "已撤回该议定事项")
        response = None
    elif action == "minutes":
        meeting = services.issue_minutes(actor=user, meeting=meeting)
        messages.success(request, f"会议纪要已印发（{meeting.minutes_letter.doc_number}）")
        response = None
    elif action == "cancel":
        form = f.ReasonForm(post)
        response = _submit(request, form, lambda d: services.cancel_meeting(actor=user, meeting=meeting,
                                                                            reason=d["reason"]),
                           page=page, name="cancel_form", success="会议已取消，已通知受邀单位")
    elif action == "escalate":
        form = f.EscalationForm(post)
        response = _submit(request, form, lambda d: services.escalate(
            actor=user, meeting=meeting, matter=d["matter"], positions=d["positions"], government=d["government"]),
            page=page,
            name="escalation_form", success=lambda e: f"已提请{e.government_name}决定（{e.report_letter.doc_number}）"
            if hasattr(e, "government_name") else "报告已报请本单位负责人签发，签发后提请政府决定")
    elif action == "government":
        escalation = meeting.escalations.filter(pk=post.get("escalation") or 0).first()
        if escalation is None:
            raise NotFound("未找到该提请事项。")
        form = f.GovernmentDecisionForm(post, prefix=f"g{escalation.pk}",
                                        members=_active_members(meeting.mechanism))
        response = _submit(request, form, lambda d: services.record_government_decision(
            actor=user, escalation=escalation, decision=d["decision"], decided_on=d["decided_on"],
            doc_number=d["doc_number"], owner=d["owner"], due_on=d["due_on"]), page=page,
            name=f"government_{escalation.pk}", success="已记录政府决定")
    else:
        raise DomainError(f"未知操作：{action}")
    return response or redirect(meeting)


# --- the lists of a mechanism's meetings and solicitations ------------------------------------------------------
@login_required
@lists_saved_views
def meeting_list(request, pk: int):
    """Every meeting of the mechanism the user may see, found, filtered and exported one way."""
    from casework.listing import list_page

    mechanism = selectors.get_mechanism(request.user, pk)
    return list_page(request, selectors.meeting_list_ledger(request.user, mechanism),
                     template="consultations/meeting_list.html", context={"mechanism": mechanism, "tab": "meetings"})


@login_required
@lists_saved_views
def solicitation_list(request, pk: int):
    """Every solicitation of the mechanism the user may see, with its replies counted, found and exported one way."""
    from casework.listing import list_page

    mechanism = selectors.get_mechanism(request.user, pk)
    return list_page(request, selectors.solicitation_list_ledger(request.user, mechanism),
                     template="consultations/solicitation_list.html",
                     context={"mechanism": mechanism, "tab": "solicitations"})


# --- decisions -------------------------------------------------------------------------------------------------
@login_required
@lists_saved_views
def decision_board(request, pk: int):
    """The mechanism's decisions with their state (落实中, 已超期, 已落实), found, filtered, paged and exported one way;
    a big export runs in the background from the registered ledger, narrowed to this mechanism."""
    from casework.listing import list_page

    mechanism = selectors.get_mechanism(request.user, pk)
    source = selectors.board_ledger(request.user, mechanism)
    context = {"mechanism": mechanism, "state": request.GET.get("state", ""), "owner": request.GET.get("owner", ""),
               "owners": _active_members(mechanism), "oversees": selectors.oversees(request.user, mechanism)}
    if not request.GET.get("export"):
        context["counts"] = selectors.board_counts(source.queryset)
    return list_page(request, source, template="consultations/decisions.html", context=context,
                     prepare=selectors.board_rows, export_params={"mechanism": mechanism.pk})


def _decision_page(request, decision: Decision, status=200, **forms):
    mine = _mine(request)
    is_owner = decision.owner in mine
    others = Department.objects.filter(active=True).exclude(pk=decision.owner_id).order_by("jurisdiction__code", "code")
    meeting = decision.meeting
    record = (f"会议纪要（{meeting.minutes_letter.doc_number}）" if meeting.minutes_letter
              else f"会议记录（{meeting.reference}）")
    materials = [record, "相关交易记录及佐证材料"]
    context = {
        "decision": decision, "meeting": meeting, "mechanism": meeting.mechanism, "is_owner": is_owner,
        "state": selectors.decision_state(decision), "state_labels": selectors.STATE_LABELS,
        "progress": decision.progress.select_related("created_by").order_by("created_at", "id"),
        "followups": decision.followups.all(), "events": selectors.decision_timeline(decision),
        "progress_form": forms.get("progress_form") or f.ProgressForm(),
        "complete_form": forms.get("complete_form") or f.CompleteForm(),
        "refer_form": forms.get("refer_form") or f.ReferForm(departments=others, initial={
            "summary": decision.text, "materials": "\n".join(materials)}),
        "joint_form": None,
    }
    if is_owner and decision.owner.is_supervising:  # joint actions are started by supervising departments
        context["joint_form"] = forms.get("joint_form") or _joint_form(
            departments=others, initial={"title": decision.text[:200], "trigger_note": decision.text})
    return render(request, "consultations/decision_detail.html", context, status=status)


@login_required
def decision_detail(request, pk: int):
    return _decision_page(request, selectors.get_decision(request.user, pk))


@login_required
@require_POST
def decision_action(request, pk: int, action: str):
    decision = selectors.get_decision(request.user, pk)
    user, post = request.user, request.POST

    def page(status, **kw):
        return _decision_page(request, decision, status, **kw)

    others = Department.objects.filter(active=True).exclude(pk=decision.owner_id)
    if action == "progress":
        response = _submit(request, f.ProgressForm(post), lambda d: services.add_progress(
            actor=user, decision=decision, note=d["note"]), page=page, name="progress_form", success="已报告进展")
    elif action == "complete":
        response = _submit(request, f.CompleteForm(post), lambda d: services.complete_decision(
            actor=user, decision=decision, result=d["result"]), page=page, name="complete_form",
            success="已报告落实结果")
    elif action == "refer":
        response = _submit(request, f.ReferForm(post, departments=others), lambda d: services.refer_from_decision(
            actor=user, decision=decision, receivers=list(d["receivers"]), matter=d["matter"],
            legal_basis=d["legal_basis"], materials=d["materials"].splitlines(), project_code=d["project_code"],
            project_name=d["project_name"], summary=d["summary"]), page=page, name="refer_form",
            success=lambda fu: f"已移送：{fu.label}")
    elif action == "joint":
        form = _joint_form(post, departments=others)
        response = _submit(request, form, lambda d: services.start_joint_action_from_decision(
            actor=user, decision=decision, kind=d["kind"], trigger=d["trigger"], trigger_note=d["trigger_note"],
            title=d["title"], participants=list(d["participants"])), page=page, name="joint_form",
            success=lambda fu: f"已发起：{fu.label}")
    else:
        raise DomainError(f"未知操作：{action}")
    return response or redirect(decision)


# --- solicitations -------------------------------------------------------------------------------------------
@login_required
def solicitation_new(request, pk: int):
    mechanism = selectors.get_mechanism(request.user, pk)
    initiators = services.acting_departments(request.user, mechanism)
    if not initiators:
        raise Forbidden(f"只有{mechanism.name}成员单位的工作人员可以征求意见")
    initiator_qs = Department.objects.filter(pk__in=[d.pk for d in initiators])
    members = _active_members(mechanism)

    def page(status=200, form=None):
        default = [d for d in members if d not in initiators]
        form = form or f.SolicitationForm(initiators=initiator_qs, members=members, initial={
            "submission_key": uuid.uuid4().hex, "initiator": initiators[0], "recipients": default,
            "kind": Solicitation.Kind.POLICY if mechanism.lead in initiators else Solicitation.Kind.TRADING_RULE})
        return render(request, "consultations/solicitation_form.html", {"form": form, "mechanism": mechanism},
                      status=status)

    if request.method == "POST":
        form = f.SolicitationForm(request.POST, initiators=initiator_qs, members=members)
        created = []

        def call(d):
            created.append(services.solicit_comments(
                actor=request.user, mechanism=mechanism, initiator=d["initiator"], submission_key=d["submission_key"],
                data=services.SolicitationInput(kind=d["kind"], title=d["title"], draft_text=d["draft_text"],
                                                deadline=d["deadline"], recipients=list(d["recipients"]))))
            return created[0]

        response = _submit(request, form, call, page=page, name="form",
                           success=lambda s: f"征求意见函已发出（{s.letter.doc_number}）")
        return response or redirect(created[0])
    return page()


def _solicitation_page(request, solicitation: Solicitation, status=200, **forms):
    mine = _mine(request)
    replies = list(selectors.solicitation_replies(solicitation))
    for r in replies:
        r.mine = r.department in mine
        if r.mine and r.status == CommentReply.Status.PENDING:
            r.form = forms.get(f"comment_{r.pk}") or f.CommentForm(prefix=f"c{r.pk}")
    mechanism = solicitation.mechanism
    is_initiator = solicitation.initiator in mine
    departments = _active_members(mechanism).exclude(pk=solicitation.initiator_id)
    filed_lead = solicitation.filings.filter(to_department=mechanism.lead).exists()
    context = {
        "solicitation": solicitation, "mechanism": mechanism, "replies": replies, "is_initiator": is_initiator,
        "filings": solicitation.filings.select_related("to_department"),
        "needs_drc_filing": solicitation.initiator != mechanism.lead and not filed_lead,
        "finalise_form": forms.get("finalise_form") or f.FinaliseForm(initial={"final_text": solicitation.draft_text}),
        "filing_form": forms.get("filing_form") or f.FilingForm(departments=departments, initial={
            "to_department": mechanism.lead if mechanism.lead != solicitation.initiator else None,
            "filed_on": timezone.localdate()}),
        "events": selectors.solicitation_timeline(solicitation),
        "pending_count": sum(1 for r in replies if r.status == CommentReply.Status.PENDING),
        "draft_files": visible_of(request.user, solicitation, "draft"),
        "files_error": forms.get("files_error", ""),
    }
    return render(request, "consultations/solicitation_detail.html", context, status=status)


@login_required
def solicitation_detail(request, pk: int):
    return _solicitation_page(request, selectors.get_solicitation(request.user, pk))


@login_required
@require_POST
def solicitation_action(request, pk: int, action: str):
    solicitation = selectors.get_solicitation(request.user, pk)
    user, post = request.user, request.POST

    def page(status, **kw):
        return _solicitation_page(request, solicitation, status, **kw)

    if action == "comment":
        reply = solicitation.replies.filter(pk=post.get("reply") or 0).first()
        if reply is None:
            raise NotFound("未找到该单位的反馈。")
        response = _submit(request, f.CommentForm(post, prefix=f"c{reply.pk}"), lambda d: services.reply_comments(
            actor=user, reply=reply, no_comments=d["no_comments"], comments=d["comments"]), page=page,
            name=f"comment_{reply.pk}", success="已反馈意见")
    elif action == "files":
        try:
            files = services.add_draft_files(actor=user, solicitation=solicitation,
                                             uploads=request.FILES.getlist("files"))
        except DomainError as exc:
            if exc.status != 400:
                raise
            return page(400, files_error=str(exc))
        messages.success(request, f"已上传 {len(files)} 个文件，征求意见的单位均可查阅")
        response = None
    elif action == "finalise":
        response = _submit(request, f.FinaliseForm(post), lambda d: services.finalise_solicitation(
            actor=user, solicitation=solicitation, final_text=d["final_text"], adoption_note=d["adoption_note"]),
            page=page, name="finalise_form", success="已定稿")
    elif action == "file":
        departments = _active_members(solicitation.mechanism).exclude(pk=solicitation.initiator_id)
        response = _submit(request, f.FilingForm(post, departments=departments), lambda d: services.record_filing(
            actor=user, solicitation=solicitation, to_department=d["to_department"], kind=d["kind"],
            filed_on=d["filed_on"], doc_number=d["doc_number"], note=d["note"]), page=page, name="filing_form",
            success=lambda fl: f"已记录{fl.get_kind_display()}：{fl.to_department.name}")
    else:
        raise DomainError(f"未知操作：{action}")
    return response or redirect(solicitation)


# --- letters ----------------------------------------------------------------------------------------------------
@login_required
@require_GET
def letter_pdf(request, pk: int):
    """Minutes, 征求意见函 and reports to the government, for every unit that may see the item."""
    letter = selectors.get_letter(request.user, pk)
    response = HttpResponse(letter_bytes(letter), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(letter.doc_number)}.pdf"
    response["ETag"] = f'"{letter.sha256}"'
    response["Cache-Control"] = "private, no-cache"
    return response

