"""Every state change of an assistance request or a joint action. Keyword-only, atomic, permission-checked;
each writes its audit event, starts or stops its clocks and issues its letters."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.attachments import services as attachments
from casework.attachments.models import Attachment
from casework.calendar.services import get_calendar
from casework.clocks import timing
from casework.clocks.services import (
    cancel_clock,
    cancel_clocks_for,
    complete_clock,
    event_start,
    open_clocks_for,
    roll_set_date,
    start_clock,
)
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import record
from casework.handoffs import services as handoffs
from casework.handoffs.models import Handoff
from casework.letters import signoff
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member, user_departments
from casework.references import numbered, placeholder
from casework.rules.powers import require_power
from casework.rules.services import rule_for
from casework.uploads import check_upload
from jointaction.models import (
    AssistanceRequest,
    Finding,
    JointAction,
    Participant,
    PlanReply,
    PlanVersion,
    Trigger,
)

STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER)


def _errors(errors: dict[str, list[str]], prefix: str) -> None:
    if errors:
        raise DomainError(prefix + "；".join(v[0] for v in errors.values()), field_errors=errors)


def _text(errors, field: str, label: str, value: str, *, minimum: int = 1, limit: int = 20000) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        errors[field] = [f"请填写{label}" if minimum == 1 else f"请填写{label}（不少于{minimum}个字）"]
    elif len(value) > limit:
        errors[field] = [f"{label}不能超过{limit}个字"]
    return value


def _lines(values) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [v.strip() for v in values or [] if v and v.strip()]


def _today() -> dt.date:
    return timing.local_date(timezone.now())


# --- assistance letters (协助办理函) -----------------------------------------------------------------------
def _assistance_fingerprint(requester, assistant, case_name, case_summary, matters, reasons, materials,
                            reply_by) -> str:
    content = {"requester": getattr(requester, "code", None), "assistant": getattr(assistant, "code", None),
               "case_name": (case_name or "").strip(), "case_summary": (case_summary or "").strip(),
               "matters": (matters or "").strip(), "reasons": (reasons or "").strip(),
               "materials": _lines(materials), "reply_by": reply_by.isoformat() if reply_by else None}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def request_assistance(*, actor, requester: Department, assistant: Department, case_name: str, case_summary: str,
                       matters: str, reasons: str, materials: list[str] | str, uploads=(),
                       reply_by: dt.date | None = None, submission_key: str = "",
                       key_field: str = "submission_key",
                       delivered_on: dt.date | None = None) -> tuple[AssistanceRequest, bool]:
    """Send a 协助办理函. It must carry the case situation, the matters requested and why, and the materials
    (Luoyang 五(二); Zengdu 第十六条). The assisting organ's review and return clocks start at delivery.
    The same submission twice (double click, retry) returns the first request; the same key with other contents
    is a Conflict naming `key_field` (the API's external_id)."""
    require_member(actor, requester, "以该单位名义发出协助办理函")
    key = (submission_key or "").strip()[:64] or uuid.uuid4().hex
    fingerprint = _assistance_fingerprint(requester, assistant, case_name, case_summary, matters, reasons,
                                          materials, reply_by)
    existing = AssistanceRequest.objects.filter(submission_key=key).first()
    if existing is not None:
        if existing.payload_hash and existing.payload_hash != fingerprint:
            message = f"该编号已用于内容不同的协助办理函 {existing.handoff.reference}，请使用新的编号"
            raise Conflict(message, field_errors={key_field: [message]})
        return existing, False
    errors: dict[str, list[str]] = {}
    if assistant is None:
        errors["assistant"] = ["请选择协助办理单位"]
    elif assistant == requester:
        errors["assistant"] = ["协助办理单位不能是本单位"]
    elif not assistant.active:
        errors["assistant"] = [f"{assistant.name}已停用"]
    case_name = _text(errors, "case_name", "案件名称", case_name, limit=200)
    case_summary = _text(errors, "case_summary", "案件基本情况", case_summary, minimum=10)
    matters = _text(errors, "matters", "需要协助办理的事项", matters, minimum=5)
    reasons = _text(errors, "reasons", "请求协助的理由", reasons, minimum=5)
    checked = [check_upload(u) for u in uploads or []]
    listed = _lines(materials)
    if not listed and not checked:
        errors["materials"] = ["请列明或上传有关材料（至少一项）"]
    if reply_by is not None and reply_by <= _today():
        errors["reply_by"] = ["请求反馈期限须晚于今天"]
    _errors(errors, "协助办理函内容不全：")
    # A paper letter delivered before it is recorded here: the assisting organ's clocks start at delivery.
    sent_at = event_start(on=delivered_on, field="delivered_on", label="送达日期", required=False)
    warnings = []
    if reply_by is not None:
        reply_by, note = roll_set_date(reply_by)
        if note:
            warnings.append(f"请求反馈期限：{note}")
        warnings += _review_limit_warning(assistant, reply_by, sent_at)

    handoff = handoffs.send_handoff(actor=actor, kind=Handoff.Kind.ASSISTANCE, title=f"协助办理：{case_name}",
                                    sender=requester, receiver=assistant, rule_key="assistance.review",
                                    description=matters, reference_prefix="XZ", sent_at=sent_at)
    req = AssistanceRequest(handoff=handoff, requester=requester, assistant=assistant, case_name=case_name,
                            case_summary=case_summary, matters=matters, reasons=reasons, reply_by=reply_by,
                            submission_key=key, payload_hash=fingerprint, created_by=actor)
    try:
        with transaction.atomic():
            req.save()
    except IntegrityError:  # the same form submitted twice at once: undo this copy's hand-over, answer with the first
        first = AssistanceRequest.objects.get(submission_key=key)
        transaction.set_rollback(True)
        return first, False
    files = [attachments.store(actor=actor, owner=req, purpose=Attachment.Purpose.MATERIAL, department=requester,
                               checked=info)[0] for info in checked]
    files = list(dict.fromkeys(files))
    req.materials = listed
    start_clock(actor=actor, subject=handoff, rule_key="assistance.return", department=assistant,
                counterpart=requester, started_at=handoff.sent_at, label="超出职能的协助事项退回并书面说明理由")
    body = [f"我单位在查处“{case_name}”过程中，需要贵单位协助办理。现将有关情况函告如下：",
            f"一、案件基本情况。{case_summary}", f"二、需要协助办理的事项。{matters}", f"三、请求协助的理由。{reasons}"]
    if reply_by:
        body.append(f"请贵单位收到本函后及时审查协查资料，于{reply_by.year}年{reply_by.month}月{reply_by.day}日前"
                    "书面反馈协助办理结果；超出贵单位职能的，请在规定时限内将本函退回并书面说明理由。")
    else:
        body.append("请贵单位收到本函后及时审查协查资料，能够协助办理的及时协助办理并书面反馈结果；超出贵单位职能的，"
                    "请在规定时限内将本函退回并书面说明理由。")
    req.request_letter = issue_letter(actor=actor, issuer=requester, kind=Letter.Kind.ASSISTANCE, addressee=assistant,
                                      title=f"关于商请协助办理{case_name}有关事项的函", body=body, subject=req,
                                      materials=req.materials, attachments=files)
    req.materials = req.request_letter.materials
    req.save(update_fields=["materials", "request_letter"])
    record(actor=actor, obj=req, action="assistance.requested",
           after={"reference": handoff.reference, "requester": requester.code, "assistant": assistant.code,
                  "case_name": case_name, "materials": req.materials, "reply_by": reply_by,
                  "letter": req.request_letter.doc_number, **({"warnings": warnings} if warnings else {})})
    req.warnings = warnings
    notify_department(department=assistant, roles=STAFF, kind="assistance_received",
                      title=f"收到协助办理函：{case_name}（来自{requester.display_name}）",
                      body=f"{req.request_letter.doc_number}。请及时审查协查资料；超出本单位职能的，"
                           "须在规定时限内退回并书面说明理由。", url=req.get_absolute_url())
    return req, True


def _review_limit_warning(assistant: Department, reply_by: dt.date, sent_at: dt.datetime | None = None) -> list[str]:
    """A requested reply date earlier than the review period the assisting organ is entitled to."""
    version = rule_for(assistant, "assistance.review").current_version
    if version.amount is None:
        return []
    last = timing.compute_due(get_calendar(), sent_at or timezone.now(), version.amount, version.unit).date
    if reply_by >= last:
        return []
    return [f"请求反馈期限 {reply_by:%Y-%m-%d} 早于对方依法享有的审查期限：{version.rule.name}"
            f"{version.limit_display}（{version.clause}），至 {last:%Y-%m-%d} 24:00；"
            "对方在审查期限内作出是否协助的决定均属依法办理，请与对方协商"]


def _locked_assistance(actor, req: AssistanceRequest) -> AssistanceRequest:
    req = (AssistanceRequest.objects.select_for_update(of=("self",))
           .select_related("handoff", "requester", "assistant").get(pk=req.pk))
    require_member(actor, req.assistant, "办理该协助事项")
    require_power(actor, req.assistant, "assistance.decide")
    return req


@transaction.atomic
def accept_assistance(*, actor, request: AssistanceRequest) -> AssistanceRequest:
    """The materials are reviewed and the request is within the assisting organ's duty: it assists.
    The review and return windows close; the result clock runs to the date the requester asked for."""
    req = _locked_assistance(actor, request)
    if req.state != AssistanceRequest.State.SENT:
        raise Conflict(f"该协助事项当前为“{req.get_state_display()}”，不能再决定协助")
    # Deciding to assist means the return step did not happen: its clock is cancelled as not
    # applicable (never counted 按期完成); the review clock is met by the decision.
    cancel_clocks_for(actor=actor, subject=req.handoff, rule_keys=["assistance.return"],
                      reason="不适用：已决定协助办理，未退回")
    handoffs.accept_handoff(actor=actor, handoff=req.handoff)
    now = timezone.now()
    req.state, req.accepted_at = AssistanceRequest.State.ASSISTING, now
    req.save(update_fields=["state", "accepted_at"])
    if req.reply_by:
        start_clock(actor=actor, subject=req.handoff, rule_key="assistance.result", department=req.assistant,
                    counterpart=req.requester, started_at=now, due_on=max(req.reply_by, _today()),
                    label="书面反馈协助办理结果（请求单位商定的期限）")
    record(actor=actor, obj=req, action="assistance.accepted", before={"state": "sent"}, after={"state": req.state})
    notify_department(department=req.requester, roles=STAFF, kind="assistance_accepted",
                      title=f"{req.assistant.display_name}已决定协助办理：{req.case_name}",
                      url=req.get_absolute_url())
    return req


@transaction.atomic
def return_assistance(*, actor, request: AssistanceRequest, reasons: str) -> AssistanceRequest:
    """Beyond the assisting organ's competence: returned with written reasons (a 退回函). No reason, no return."""
    if len((reasons or "").strip()) < 10:
        raise DomainError.for_field("reasons", "退回协助办理函须书面说明理由（不少于10个字）")
    req = _locked_assistance(actor, request)
    if req.state != AssistanceRequest.State.SENT:
        raise Conflict(f"该协助事项当前为“{req.get_state_display()}”，不能退回")
    handoffs.return_handoff(actor=actor, handoff=req.handoff, reasons=reasons)
    req.state, req.return_reasons, req.closed_at = AssistanceRequest.State.RETURNED, reasons.strip(), timezone.now()
    req.return_letter = issue_letter(
        actor=actor, issuer=req.assistant, kind=Letter.Kind.RETURN, addressee=req.requester, subject=req,
        title=f"关于退回{req.case_name}协助办理函的函", reasons=[req.return_reasons],
        body=[f"贵单位《{req.request_letter.title}》（{req.request_letter.doc_number}）收悉。经审查，所请协助事项"
              "超出我单位职能，现将来函退回，理由如下。"],
        materials=[f"{req.request_letter.title}（{req.request_letter.doc_number}）"])
    req.save(update_fields=["state", "return_reasons", "closed_at", "return_letter"])
    record(actor=actor, obj=req, action="assistance.returned", before={"state": "sent"},
           after={"state": req.state, "letter": req.return_letter.doc_number}, reason=req.return_reasons)
    notify_department(department=req.requester, roles=STAFF, kind="assistance_returned",
                      title=f"协助办理函被退回：{req.case_name}（{req.assistant.display_name}）",
                      body=req.return_reasons[:2000], url=req.get_absolute_url())
    return req


@transaction.atomic
def report_assistance_result(*, actor, request: AssistanceRequest, result: str, uploads=()) -> AssistanceRequest:
    """Feed the result back in writing (协助办理结果反馈函), with any files that document it."""
    result = (result or "").strip()
    if len(result) < 10:
        raise DomainError.for_field("result", "请填写协助办理结果（不少于10个字）")
    checked = [check_upload(u, field="files") for u in uploads or ()]
    req = _locked_assistance(actor, request)
    if req.state != AssistanceRequest.State.ASSISTING:
        raise Conflict(f"该协助事项当前为“{req.get_state_display()}”，"
                       + ("请先决定协助办理" if req.state == AssistanceRequest.State.SENT else "不能再反馈结果"))
    handoffs.complete_handoff(actor=actor, handoff=req.handoff, result=result)
    req.state, req.result, req.closed_at = AssistanceRequest.State.COMPLETED, result, timezone.now()
    files = [attachments.store(actor=actor, owner=req, purpose=Attachment.Purpose.RESULT, department=req.assistant,
                               checked=info)[0] for info in checked]
    req.result_letter = issue_letter(attachments=files,
        actor=actor, issuer=req.assistant, kind=Letter.Kind.ASSISTANCE_RESULT, addressee=req.requester, subject=req,
        title=f"关于{req.case_name}协助办理结果的函",
        body=[f"贵单位《{req.request_letter.title}》（{req.request_letter.doc_number}）收悉。我单位已按所请事项协助办理，"
              "现将结果函告如下：", *[p for p in result.split("\n\n") if p.strip()]])
    req.save(update_fields=["state", "result", "closed_at", "result_letter"])
    record(actor=actor, obj=req, action="assistance.completed", before={"state": "assisting"},
           after={"state": req.state, "letter": req.result_letter.doc_number})
    notify_department(department=req.requester, roles=STAFF, kind="assistance_result",
                      title=f"协助办理结果已反馈：{req.case_name}（{req.assistant.display_name}）",
                      url=req.get_absolute_url())
    return req


# --- joint enforcement and joint inspection ------------------------------------------------------------------
def _origin_fields(origin) -> dict:
    if origin is None:
        return {}
    if getattr(origin, "pk", None) is None:
        raise DomainError.for_field("origin", "来源事项须已保存")
    return {"origin_type": ContentType.objects.get_for_model(origin), "origin_id": str(origin.pk),
            "origin_label": str(origin)[:200],
            "origin_url": origin.get_absolute_url() if hasattr(origin, "get_absolute_url") else ""}


@transaction.atomic
def start_action(*, actor, initiator: Department, kind: str, trigger: str, trigger_note: str = "", title: str,
                 participants: list[Department], origin=None) -> JointAction:
    """Any supervising department starts a joint enforcement or inspection, choosing its trigger
    (Zengdu 第十八条; Weihai (十五)). Started from something (a meeting's decision), it is started once."""
    require_member(actor, initiator, "以该单位名义发起联合执法、联合检查")
    require_power(actor, initiator, "joint_action.launch")
    if not initiator.is_supervising:
        raise Forbidden("联合执法、联合检查由行政监督部门发起；其他机关可作为参与部门")
    fields = _origin_fields(origin)
    if fields:
        existing = JointAction.objects.filter(origin_type=fields["origin_type"], origin_id=fields["origin_id"]).first()
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    if kind not in JointAction.Kind.values:
        errors["kind"] = ["请选择联合执法或联合检查"]
    if trigger not in Trigger.values:
        errors["trigger"] = ["请选择发起情形"]
    trigger_note = (trigger_note or "").strip()
    if trigger == Trigger.OTHER and len(trigger_note) < 5:
        errors["trigger_note"] = ["选择“其他”的，须说明发起情形（不少于5个字）"]
    title = _text(errors, "title", "名称", title, limit=200)
    participants = list(dict.fromkeys(participants or []))
    if initiator in participants:
        participants.remove(initiator)
    if not participants:
        errors["participants"] = ["请至少邀请一个参与部门"]
    inactive = [d.name for d in participants if not d.active]
    if inactive:
        errors["participants"] = [f"{'、'.join(inactive)}已停用"]
    _errors(errors, "联合行动信息有误：")
    now = timezone.now()
    action = JointAction(reference=placeholder(), kind=kind, title=title, initiator=initiator, trigger=trigger,
                         trigger_note=trigger_note, created_by=actor, **fields)
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:  # started from the same origin twice at once
        return JointAction.objects.get(origin_type=fields["origin_type"], origin_id=fields["origin_id"])
    action.reference = numbered("LH", action.pk, now)
    action.save(update_fields=["reference"])
    Participant.objects.bulk_create([Participant(action=action, department=d) for d in participants])
    record(actor=actor, obj=action, action="jointaction.started",
           after={"reference": action.reference, "kind": kind, "trigger": trigger, "title": title,
                  "initiator": initiator.code, "participants": [d.code for d in participants],
                  "origin": fields.get("origin_label", "")})
    return action


def _locked_action(action: JointAction) -> JointAction:
    return (JointAction.objects.select_for_update(of=("self",)).select_related("initiator")
            .get(pk=action.pk))


@transaction.atomic
def propose_plan(*, actor, action: JointAction, purpose: str, targets: str, scope: str, content: str, schedule: str,
                 method: str, steps: str, duties: dict[str, str], initiator_staff: list[str] | str,
                 reply_by: dt.date, change_note: str = "", based_on: int | None = None) -> PlanVersion:
    """The initiator drafts (or revises) the plan and sends it to every participant to comment on or confirm by
    `reply_by`. Each version is kept; a new version asks everyone again. `based_on` is the version the author
    was looking at: if another version was written meanwhile, this one is refused rather than silently replacing it."""
    action = _locked_action(action)
    require_member(actor, action.initiator, "起草联合执法、检查方案")
    require_power(actor, action.initiator, "joint_action.launch")
    if action.state not in (JointAction.State.DRAFT, JointAction.State.CONSULTING):
        raise Conflict(f"联合行动当前为“{action.get_state_display()}”，方案不能再修改")
    current = action.versions.order_by("-number").first()
    if based_on is not None and (current.number if current else 0) != based_on:
        raise Conflict(f"方案已被他人更新为第{current.number}版，请刷新后在最新版本上修改")
    errors: dict[str, list[str]] = {}
    given = {"purpose": purpose, "targets": targets, "scope": scope, "content": content, "schedule": schedule,
             "method": method, "steps": steps}
    values = {name: _text(errors, name, label, given[name], limit=200 if name == "schedule" else 20000)
              for name, label in PlanVersion.FIELDS}
    participants = list(action.participants.select_related("department"))
    clean_duties = {}
    for dept in [action.initiator] + [p.department for p in participants]:
        text = (duties or {}).get(dept.code, "").strip()
        if not text:
            errors[f"duty_{dept.code}"] = [f"请写明{dept.name}的职责分工"]
        clean_duties[dept.code] = text
    staff = _lines(initiator_staff)
    if not staff:
        errors["initiator_staff"] = ["请填写发起部门参加的人员"]
    if reply_by is None:
        errors["reply_by"] = ["请确定参与部门答复期限"]
    elif reply_by <= _today():
        errors["reply_by"] = ["答复期限须晚于今天"]
    if current is not None and len((change_note or "").strip()) < 4:
        errors["change_note"] = ["修订方案须说明修改内容（不少于4个字）"]
    _errors(errors, "方案内容不全：")
    version = PlanVersion.objects.create(action=action, number=(current.number + 1 if current else 1),
                                         duties=clean_duties, initiator_staff=staff, reply_by=reply_by,
                                         change_note=(change_note or "").strip(), created_by=actor, **values)
    for participant in participants:
        for clock in open_clocks_for(action, department=participant.department):
            cancel_clock(actor=actor, clock=clock, reason=f"方案已修订为第{version.number}版，重新征求意见")
        participant.reply, participant.replied_version, participant.replied_at = Participant.Reply.PENDING, None, None
        participant.save(update_fields=["reply", "replied_version", "replied_at"])
        start_clock(actor=actor, subject=action, rule_key="jointaction.plan_reply", department=participant.department,
                    counterpart=action.initiator, started_at=timezone.now(), due_on=reply_by,
                    label=f"会签联合行动方案（第{version.number}版）")
        notify_department(department=participant.department, roles=STAFF, kind="jointaction_plan",
                          title=f"请会签{action.get_kind_display()}方案：{action.title}（第{version.number}版）",
                          body=f"{action.initiator.name}邀请贵单位参加，请于{reply_by:%Y-%m-%d}前提出意见或确认方案并选派人员。",
                          url=action.get_absolute_url())
    before = {"state": action.state}
    action.state = JointAction.State.CONSULTING
    action.save(update_fields=["state"])
    record(actor=actor, obj=action, action="jointaction.plan_proposed", before=before,
           after={"version": version.number, "reply_by": reply_by, "change_note": version.change_note})
    return version


@transaction.atomic
def reply_plan(*, actor, action: JointAction, department: Department, version: int, confirm: bool,
               comment: str = "", staff: list[str] | str = ()) -> PlanReply:
    """A participant comments on a version, or confirms it and names the staff it sends. When every participant
    has confirmed the current version, the plan is settled."""
    require_member(actor, department, "答复该方案")
    require_power(actor, department, "joint_action.launch")
    action = _locked_action(action)
    participant = action.participants.filter(department=department).first()
    if participant is None:
        raise Forbidden(f"{department.name}不是该联合行动的参与部门")
    if action.state != JointAction.State.CONSULTING:
        raise Conflict(f"联合行动当前为“{action.get_state_display()}”，无需答复方案")
    current = action.versions.order_by("-number").first()
    if version != current.number:
        raise Conflict(f"方案已更新为第{current.number}版，请查看最新版本后再答复")
    if PlanReply.objects.filter(version=current, department=department).exists():
        raise Conflict(f"{department.display_name}已答复第{current.number}版方案")
    errors: dict[str, list[str]] = {}
    comment = (comment or "").strip()
    staff = _lines(staff)
    if confirm and not staff:
        errors["staff"] = ["确认方案须填写选派参加的人员"]
    if not confirm and len(comment) < 5:
        errors["comment"] = ["请填写修改意见（不少于5个字）"]
    _errors(errors, "答复有误：")
    now = timezone.now()
    reply = PlanReply.objects.create(version=current, department=department, confirmed=confirm, comment=comment,
                                     staff=staff, replied_by=actor, replied_at=now)
    participant.reply = Participant.Reply.CONFIRMED if confirm else Participant.Reply.COMMENTED
    participant.replied_version, participant.replied_at = current.number, now
    if confirm:
        participant.staff = staff
    participant.save(update_fields=["reply", "replied_version", "replied_at", "staff"])
    for clock in open_clocks_for(action, department=department):
        complete_clock(actor=actor, clock=clock, at=now)
    record(actor=actor, obj=action, action="jointaction.plan_confirmed" if confirm else "jointaction.plan_commented",
           after={"department": department.code, "version": current.number, "comment": comment, "staff": staff})
    notify_department(department=action.initiator, roles=STAFF, kind="jointaction_reply",
                      title=f"{department.display_name}{'确认' if confirm else '对'}方案第{current.number}版"
                            f"{'' if confirm else '提出修改意见'}：{action.title}", body=comment[:2000],
                      url=action.get_absolute_url())
    if not action.participants.exclude(reply=Participant.Reply.CONFIRMED).exists():
        action.state, action.settled_version, action.settled_at = JointAction.State.SETTLED, current, now
        action.save(update_fields=["state", "settled_version", "settled_at"])
        record(actor=actor, obj=action, action="jointaction.plan_settled", before={"state": "consulting"},
               after={"state": action.state, "version": current.number})
        for dept in action_departments(action):
            notify_department(department=dept, roles=STAFF, kind="jointaction_settled",
                              title=f"方案已确定：{action.title}（第{current.number}版）",
                              url=action.get_absolute_url())
    return reply


def action_departments(action: JointAction) -> list[Department]:
    return [action.initiator] + [p.department for p in action.participants.select_related("department")]


@transaction.atomic
def record_finding(*, actor, action: JointAction, department: Department, target: str, description: str,
                   measures: str, project_code: str = "", submission_key: str = "") -> Finding:
    """A violation found during the action, handled by `department` under its own statutory duty
    (Zengdu 第二十条; Weihai (十七))."""
    key = (submission_key or "").strip()[:64] or uuid.uuid4().hex
    existing = Finding.objects.filter(submission_key=key).first()
    if existing is not None:
        return existing
    require_member(actor, department, "记录本部门的检查发现")
    action = _locked_action(action)
    if department not in action_departments(action):
        raise Forbidden(f"{department.name}不是该联合行动的参与部门")
    if action.state != JointAction.State.SETTLED:
        raise Conflict("方案确定后、实施结束前才能记录发现的问题" if action.state in (
            JointAction.State.DRAFT, JointAction.State.CONSULTING) else "联合行动已结束，不能再记录发现的问题")
    errors: dict[str, list[str]] = {}
    target = _text(errors, "target", "检查对象", target, limit=200)
    description = _text(errors, "description", "发现的问题", description, minimum=5)
    measures = _text(errors, "measures", "本部门的处理措施", measures, minimum=4)
    if len((project_code or "").strip()) > 64:
        errors["project_code"] = ["项目编号不能超过64个字符"]
    _errors(errors, "发现的问题记录不全：")
    finding = Finding.objects.create(action=action, department=department, target=target,
                                     project_code=(project_code or "").strip(), description=description,
                                     handling=Finding.Handling.OWN_DUTY, measures=measures, submission_key=key,
                                     recorded_by=actor, recorded_at=timezone.now())
    record(actor=actor, obj=action, action="jointaction.finding",
           after={"finding": finding.pk, "department": department.code, "target": target, "handling": "own_duty"})
    return finding


@transaction.atomic
def refer_finding(*, actor, action: JointAction, department: Department, target: str, description: str,
                  receiver: Department, matter: str, legal_basis: str, materials: list[str] | str,
                  project_code: str = "", project_name: str = "", submission_key: str = "") -> Finding:
    """A finding that belongs to another organ becomes a referral in one step: recorded here, and a clue
    transferred with its 移送函 and 移送回执 (Zengdu 第二十条: 按案件移送制度办理)."""
    from referrals.services import refer_matter

    key = (submission_key or "").strip()[:64] or uuid.uuid4().hex
    existing = Finding.objects.filter(submission_key=key).first()
    if existing is not None:
        return existing
    require_member(actor, department, "移送本部门的检查发现")
    action = _locked_action(action)
    if department not in action_departments(action):
        raise Forbidden(f"{department.name}不是该联合行动的参与部门")
    if action.state != JointAction.State.SETTLED:
        raise Conflict("方案确定后、实施结束前才能移送发现的问题")
    errors: dict[str, list[str]] = {}
    target = _text(errors, "target", "检查对象", target, limit=200)
    description = _text(errors, "description", "发现的问题", description, minimum=5)
    if receiver is None:
        errors["receiver"] = ["请选择接收机关"]
    elif receiver == department:
        errors["receiver"] = ["属于本部门职责的，请按本部门处理记录，不必移送"]
    _errors(errors, "移送信息有误：")
    finding = Finding.objects.create(action=action, department=department, target=target,
                                     project_code=(project_code or "").strip(), description=description,
                                     handling=Finding.Handling.REFERRED, submission_key=key,
                                     measures=f"移送{receiver.name}", recorded_by=actor, recorded_at=timezone.now())
    clue = refer_matter(actor=actor, department=department, origin=finding,
                        project_code=(project_code or "").strip() or action.reference,
                        project_name=(project_name or "").strip() or target,
                        summary=f"{action.get_kind_display()}“{action.title}”（{action.reference}）中发现：{description}",
                        receivers=[receiver], matter=matter, legal_basis=legal_basis, materials=_lines(materials))
    finding.clue = clue
    finding.save(update_fields=["clue"])
    record(actor=actor, obj=action, action="jointaction.finding",
           after={"finding": finding.pk, "department": department.code, "target": target, "handling": "referred",
                  "receiver": receiver.code, "clue": clue.reference})
    return finding


@transaction.atomic
def conclude_action(*, actor, action: JointAction, summary: str, ended_at: dt.datetime | None = None) -> JointAction:
    """The initiator records the end of the on-site work with an overall account."""
    action = _locked_action(action)
    require_member(actor, action.initiator, "结束联合行动")
    require_power(actor, action.initiator, "joint_action.conclude")
    if action.state != JointAction.State.SETTLED:
        early = action.state in (JointAction.State.DRAFT, JointAction.State.CONSULTING)
        raise Conflict(f"联合行动当前为“{action.get_state_display()}”，{'方案确定后才能结束' if early else '已经结束'}")
    summary = (summary or "").strip()
    if len(summary) < 10:
        raise DomainError.for_field("summary", "请填写联合行动总体情况（不少于10个字）")
    ended_at = ended_at or timezone.now()
    if ended_at > timezone.now() or (action.settled_at and ended_at < action.settled_at):
        raise DomainError.for_field("ended_at", "结束时间须在方案确定之后、当前时间之前")
    action.state, action.summary, action.ended_at = JointAction.State.CONCLUDED, summary, ended_at
    action.save(update_fields=["state", "summary", "ended_at"])
    record(actor=actor, obj=action, action="jointaction.concluded", before={"state": "settled"},
           after={"state": action.state, "ended_at": ended_at, "findings": action.findings.count()})
    return action


def _named(action: JointAction) -> str:
    """“X专项联合执法”, not “X专项联合执法联合执法”."""
    kind = action.get_kind_display()
    return action.title if action.title.endswith(kind) else f"{action.title}{kind}"


def _findings_paragraphs(action: JointAction) -> list[str]:
    findings = list(action.findings.select_related("department", "clue"))
    if not findings:
        return ["本次行动未发现违法违规问题。"]
    lines = []
    for n, f in enumerate(findings, 1):
        handling = (f"已移送{f.clue.transfers.first().receiver.name}（线索 {f.clue.reference}）" if f.clue_id
                    else f"由{f.department.name}依法处理：{f.measures}")
        lines.append(f"（{n}）{f.target}：{f.description}{'' if f.description.endswith('。') else '。'}{handling}。")
    return lines


@transaction.atomic
def issue_report(*, actor, action: JointAction, addressee: Department | None = None,
                 addressee_name: str = "") -> JointAction:
    """One consistent report upward built from every participant's findings (统一口径, Zengdu 第二十一条). The
    addressee is a department of the platform (its staff get an inbox notice and open the report and the action);
    a name alone only for an organ that has no account on the platform. Where the initiator's rule profile requires
    a leader's sign-off for reports (上行文), a handler's report waits as a draft (casework.letters.signoff) and is
    issued, delivered and recorded when a leader signs it; `action.report_draft` is then the waiting draft."""
    action = _locked_action(action)
    require_member(actor, action.initiator, "上报联合行动情况")
    if signoff.required(action.initiator, Letter.Kind.REPORT):
        # 上行文 signed off: a handler drafts (报请签发), the leader's act is the signature (casework.letters.signoff)
        require_power(actor, action.initiator, "joint_action.launch")
    else:
        require_power(actor, action.initiator, "joint_action.report")
    if action.state not in (JointAction.State.CONCLUDED, JointAction.State.PUBLISHED):
        raise Conflict("联合行动结束后才能统一上报")
    addressee_name = addressee.name if addressee is not None else (addressee_name or "").strip()
    if not addressee_name:
        raise DomainError.for_field("addressee", "请选择报送机关")
    if addressee is not None and addressee == action.initiator:
        raise DomainError.for_field("addressee", "报送机关不能是发起部门本身")
    if action.report_letter_id:
        raise Conflict(f"已统一上报（{action.report_letter.doc_number}），不能重复报送")
    waiting = signoff.pending_for(action, REPORT_PURPOSE)
    if waiting is not None and waiting.state == waiting.State.PENDING:
        raise Conflict("情况报告已报请负责人签发，请等待签发或退回")
    if waiting is not None:  # sent back: this report replaces the returned draft
        signoff.withdraw(actor=actor, draft=waiting)
    depts = action_departments(action)
    plan = action.settled_version
    body = [f"根据{action.get_trigger_display()}的情况，{depts[0].name}会同{'、'.join(d.name for d in depts[1:])}"
            f"开展了{_named(action)}。现将有关情况报告如下：",
            f"一、基本情况。{action.summary}",
            f"二、行动方案。目的：{plan.purpose}；对象：{plan.targets}；范围：{plan.scope}；时间：{plan.schedule}。",
            "三、发现的问题及处理情况。", *_findings_paragraphs(action),
            "以上情况由各参与部门共同确认，统一口径报送。"]
    result = signoff.issue_or_submit(
        actor=actor, issuer=action.initiator, kind=Letter.Kind.REPORT, addressee=addressee,
        addressee_name="" if addressee else addressee_name, subject=action, title=f"关于{_named(action)}情况的报告",
        body=body, cc=[d.name for d in depts[1:]], readers=depts[1:], purpose=REPORT_PURPOSE,
        payload={"action": action.pk, "addressee": addressee_name})
    if isinstance(result, Letter):
        action.refresh_from_db()
        return action
    action.report_draft = result
    record(actor=actor, obj=action, action="jointaction.report_drafted",
           after={"addressee": addressee_name, "title": result.title})
    return action


REPORT_PURPOSE = "jointaction.report"


def _report_issued(*, actor, letter: Letter, payload: dict) -> None:
    """The report is issued (at once, or when a leader signed it off): link it, record it, tell the addressee."""
    action = _locked_action(JointAction(pk=payload["action"]))
    if action.report_letter_id:
        raise Conflict(f"已统一上报（{action.report_letter.doc_number}），不能重复报送")
    action.report_letter = letter
    action.save(update_fields=["report_letter"])
    record(actor=actor, obj=action, action="jointaction.reported",
           after={"addressee": payload.get("addressee", letter.addressee_display), "letter": letter.doc_number})
    if letter.addressee_id:
        notify_department(department=letter.addressee, roles=STAFF, kind="jointaction_report",
                          title=f"收到联合行动情况报告：{_named(action)}（{action.initiator.display_name}）",
                          body=letter.doc_number, url=action.get_absolute_url())


signoff.register(REPORT_PURPOSE, _report_issued)


@transaction.atomic
def publish_action(*, actor, action: JointAction, public_text: str) -> JointAction:
    """One public notice for the whole action (统一公布), issued by the initiator on behalf of all participants."""
    action = _locked_action(action)
    require_member(actor, action.initiator, "统一公布联合行动情况")
    require_power(actor, action.initiator, "joint_action.report")
    if action.state == JointAction.State.PUBLISHED:
        raise Conflict("该联合行动已统一公布")
    if action.state != JointAction.State.CONCLUDED:
        raise Conflict("联合行动结束后才能统一公布")
    public_text = (public_text or "").strip()
    if len(public_text) < 10:
        raise DomainError.for_field("public_text", "请填写公告内容（不少于10个字）")
    now = timezone.now()
    depts = action_departments(action)
    action.notice_letter = issue_letter(
        actor=actor, issuer=action.initiator, kind=Letter.Kind.PUBLIC_NOTICE, subject=action,
        title=f"关于{_named(action)}结果的公告", readers=depts[1:], co_issuers=depts[1:],
        body=[p for p in public_text.split("\n\n") if p.strip()]
        + [f"本公告由{depts[0].name}会同{'、'.join(d.name for d in depts[1:])}统一发布。"])
    action.state, action.public_text, action.published_at = JointAction.State.PUBLISHED, public_text, now
    action.save(update_fields=["state", "public_text", "published_at", "notice_letter"])
    record(actor=actor, obj=action, action="jointaction.published", before={"state": "concluded"},
           after={"state": action.state, "letter": action.notice_letter.doc_number})
    return action


def can_act_for(actor, department: Department) -> bool:
    return department in user_departments(actor)
