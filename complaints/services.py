"""Every state change of a complaint. Keyword-only, atomic, permission-checked; each writes its audit
event (never the complainant's identity), starts or stops its clocks and issues its letters."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from casework import privacy
from casework.attachments import services as attachments
from casework.attachments.models import Attachment
from casework.calendar.services import get_calendar
from casework.clocks import timing
from casework.clocks.models import Clock
from casework.clocks.services import (
    clocks_for,
    complete_clock,
    event_start,
    open_clocks_for,
    rebase_clock,
    start_clock,
    start_met_clock,
)
from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.events.services import Entry, record, record_many
from casework.handoffs import services as handoffs
from casework.handoffs.models import Handoff
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.locks import lock_name
from casework.notifications.services import notify_department
from casework.org.models import Department, Jurisdiction, Membership
from casework.org.selectors import supervision_office_for, user_departments
from casework.org.services import grant
from casework.references import numbered, placeholder
from casework.rules.models import StartsOn
from casework.rules.powers import require_power
from casework.rules.services import rule_for
from casework.uploads import check_upload
from casework.validators import resident_id_problem, uscc_problem
from complaints.models import Complaint, Grounds, TradingType

STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER)
DUPLICATE_WINDOW = dt.timedelta(hours=24)
# Objections that must come first (《招标投标法实施条例》第二十二、五十四条; 政府采购须先质疑).
OBJECTION_FIRST = {Grounds.BID_DOCUMENTS, Grounds.QUALIFICATION, Grounds.EVALUATION}


# --- identity: confidential except to the handling department's authorised staff ---------------------
# The rule and the masking live in casework.privacy (one service for every mechanism); these names stay for
# the pages and serializers that use them.
mask_name = privacy.mask_name


def can_see_identity(user, complaint: Complaint) -> bool:
    return privacy.may_see_identity(user, complaint)


@dataclass
class Identity:
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    masked: bool


def identity_for(user, complaint: Complaint, *, where: str = "") -> Identity:
    """What `user` may see of the complainant: everything, or a masked stand-in. With `where`, a permitted
    read of the original is recorded in the audit trail (pass it where the identity is actually shown)."""
    if can_see_identity(user, complaint):
        if where:
            privacy.reveal(user, complaint, where=where)
        return Identity(complaint.complainant_name, complaint.complainant_id_number, complaint.contact_phone,
                        complaint.contact_email, complaint.contact_address, False)
    return Identity(privacy.mask_name(complaint.complainant_name),
                    privacy.mask_id_number(complaint.complainant_id_number),
                    privacy.mask_phone(complaint.contact_phone), privacy.mask_email(complaint.contact_email),
                    privacy.HIDDEN if complaint.contact_address else "", True)


def complainant_terms(complaint: Complaint) -> privacy.Terms:
    return privacy.Terms(names=(complaint.complainant_name,), ids=(complaint.complainant_id_number,),
                         phones=(complaint.contact_phone,), emails=(complaint.contact_email,),
                         addresses=(complaint.contact_address,))


TEXT_FIELDS = ("grounds", "requested_outcome", "objection_reply", "triage_note", "decision")


def texts_for(user, complaint: Complaint, *, cleared: bool | None = None) -> dict[str, str]:
    """The free-text fields as `user` may read them: the complainant's identity masked unless cleared."""
    cleared = can_see_identity(user, complaint) if cleared is None else cleared
    return {name: (getattr(complaint, name) if cleared else privacy.mask_for(complaint, getattr(complaint, name)))
            for name in TEXT_FIELDS}


# --- filing ------------------------------------------------------------------------------------------
@dataclass
class ComplaintInput:
    complainant_type: str
    complainant_name: str
    complainant_id_number: str
    contact_phone: str
    project_code: str
    project_name: str
    trading_type: str
    grounds_category: str
    grounds: str
    requested_outcome: str
    department: str = ""            # a department code; empty: the supervision office receives it (兜底)
    jurisdiction: str = ""          # with an empty department: whose supervision office
    contact_email: str = ""
    contact_address: str = ""
    objection_filed: bool = False
    objection_date: dt.date | None = None
    objection_reply: str = ""
    # Paper and phone complaints: the day the department received it (the triage clock starts there,
    # not when staff type it in). Online and API complaints are received when submitted.
    received_on: dt.date | None = None


@dataclass
class FilingResult:
    complaint: Complaint
    created: bool
    secret: str = ""       # shown to the complainant on the receipt (and again for the same submission)
    duplicate_of_content: bool = False


def _secret_for(submission_key: str) -> str:
    """Derived from the submission key, so a double-clicked form shows the same receipt; only its
    hash is stored."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"complaint:{submission_key}".encode(), hashlib.sha256).digest()
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _validate(data: ComplaintInput) -> tuple[Department, dict]:
    errors: dict[str, list[str]] = {}
    required = {"complainant_name": "投诉人", "complainant_id_number": "证件号码", "contact_phone": "联系电话",
                "project_code": "项目编号", "project_name": "项目名称", "grounds": "投诉事项和理由",
                "requested_outcome": "投诉请求"}
    for field, label in required.items():
        if not str(getattr(data, field) or "").strip():
            errors[field] = [f"请填写{label}"]
    if data.complainant_type not in Complaint.ComplainantType.values:
        errors["complainant_type"] = ["请选择投诉人类型"]
    elif data.complainant_id_number.strip():
        problem = (resident_id_problem(data.complainant_id_number.strip())
                   if data.complainant_type == Complaint.ComplainantType.PERSON
                   else uscc_problem(data.complainant_id_number.strip().upper()))
        if problem:
            errors["complainant_id_number"] = [problem]
    phone = "".join(c for c in data.contact_phone if c.isdigit())
    if data.contact_phone.strip() and not 7 <= len(phone) <= 15:
        errors["contact_phone"] = ["联系电话格式不正确"]
    if data.trading_type not in TradingType.values:
        errors["trading_type"] = ["请选择交易类型"]
    if data.grounds_category not in Grounds.values:
        errors["grounds_category"] = ["请选择投诉事由"]
    needs_objection = (data.trading_type == TradingType.PROCUREMENT
                       or (data.trading_type == TradingType.ENGINEERING
                           and data.grounds_category in OBJECTION_FIRST))
    if needs_objection and not data.objection_filed:
        errors["objection_filed"] = ["依法应当先向招标人（采购人）提出异议（质疑），"
                                     "对答复不满意或未在规定时间内答复的，方可投诉"]
    if data.objection_filed and data.objection_date and data.objection_date > timezone.localdate():
        errors["objection_date"] = ["异议提出日期不能晚于今天"]
    department = None
    if data.department:
        department = Department.objects.filter(code=data.department, active=True).select_related("jurisdiction").first()
        if department is None or department.type == Department.Type.TRADING_CENTRE:
            errors["department"] = [f"受理部门“{data.department}”不存在或不受理投诉"]
    else:
        jurisdiction = Jurisdiction.objects.filter(code=data.jurisdiction).first()
        department = supervision_office_for(jurisdiction) if jurisdiction else None
        if department is None:
            errors["department"] = ["请选择受理部门；不确定的，请选择所在地，由综合监管部门受理"]
    if errors:
        raise DomainError("投诉信息有误：" + "；".join(f"{v[0]}" for v in errors.values()), field_errors=errors)
    return department, errors


def _content_key(data: ComplaintInput) -> str:
    return _hash("|".join([data.complainant_id_number.strip().upper(), data.project_code.strip(),
                           data.grounds_category, " ".join(data.grounds.split())]))


def file_complaint(*, data: ComplaintInput, channel: str, submission_key: str, actor=None,
                   files=()) -> FilingResult:
    """File a complaint (public page, other systems, or staff recording paper/phone complaints) with its
    evidence files. The same submission twice returns the first; the same content within 24 hours is
    recognised. Every file is checked before anything is kept: nothing is half-written."""
    if not submission_key:
        raise DomainError("缺少提交标识")
    if channel not in Complaint.Channel.values:
        raise DomainError.for_field("channel", "未知的投诉渠道")
    if channel in (Complaint.Channel.PAPER, Complaint.Channel.PHONE):
        if not (actor and any(d.type != Department.Type.TRADING_CENTRE for d in user_departments(actor))):
            raise Forbidden("线下投诉须由受理部门工作人员登记")
    department, _ = _validate(data)
    received_at = None
    if channel in (Complaint.Channel.PAPER, Complaint.Channel.PHONE):
        received_at = event_start(on=data.received_on, field="received_on",
                                  label="收到投诉日期" if channel == Complaint.Channel.PAPER else "接到电话投诉日期",
                                  not_before=data.objection_date if data.objection_filed else None,
                                  not_before_label="异议（质疑）提出日期")
    checked = [(upload, check_upload(upload, field="files")) for upload in files]
    existing = Complaint.objects.filter(submission_key=submission_key).first()
    if existing:
        return FilingResult(existing, False, _secret_for(submission_key))
    content = _content_key(data)
    try:
        with transaction.atomic():
            # Identical submissions at the same moment (different keys) queue here, so the second sees the first.
            lock_name(f"complaint-content:{content}")
            twin = Complaint.objects.filter(content_hash=content,
                                            received_at__gte=timezone.now() - DUPLICATE_WINDOW).first()
            if twin:
                return FilingResult(twin, False, "", duplicate_of_content=True)
            result = _create(data, channel, submission_key, content, department, actor, received_at)
            for upload, meta in checked:
                _keep(result.complaint, upload, meta, actor=actor)
            return result
    except IntegrityError:
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return FilingResult(existing, False, _secret_for(submission_key))


def _create(data, channel, submission_key, content, department, actor, received_at=None) -> FilingResult:
    now = received_at or timezone.now()
    secret = _secret_for(submission_key)
    complaint = Complaint.objects.create(
        reference=placeholder(), tracking_code="T" + secrets.token_hex(5).upper(), secret_hash=_hash(secret),
        submission_key=submission_key, content_hash=content, channel=channel, department=department,
        received_at=now, recorded_by=actor, complainant_type=data.complainant_type,
        complainant_name=data.complainant_name.strip(),
        complainant_id_number=data.complainant_id_number.strip().upper(),
        contact_phone=data.contact_phone.strip(), contact_email=data.contact_email.strip(),
        contact_address=data.contact_address.strip(), project_code=data.project_code.strip(),
        project_name=data.project_name.strip(), trading_type=data.trading_type,
        grounds_category=data.grounds_category, grounds=data.grounds.strip(),
        requested_outcome=data.requested_outcome.strip(), objection_filed=data.objection_filed,
        objection_date=data.objection_date, objection_reply=data.objection_reply.strip())
    complaint.reference = numbered("TS", complaint.pk, now)
    complaint.save(update_fields=["reference"])
    grant("view_complaint", [department], complaint)
    audit = [Entry(complaint, "complaint.filed", actor=actor, after={
        "reference": complaint.reference, "channel": channel, "department": department.code,
        "trading_type": complaint.trading_type, "project_code": complaint.project_code})]
    _start_triage(actor, complaint, department, now, "审查投诉：受理、不予受理、移交或告知", audit=audit)
    record_many(audit)  # the filing's events in one INSERT
    notify_department(department=department, roles=STAFF, kind="complaint_filed",
                      title=f"新投诉：{complaint.project_name}（{complaint.get_trading_type_display()}）",
                      body=f"{complaint.get_grounds_category_display()}。请在受理期限内审查。",
                      url=complaint.get_absolute_url())
    return FilingResult(complaint, True, secret)


def _keep(complaint: Complaint, upload, meta, actor=None) -> Attachment | None:
    """Keep one checked file; the handling department holds it. None when the same file is already kept."""
    evidence, created = attachments.store(actor=actor, owner=complaint, purpose=Attachment.Purpose.EVIDENCE,
                                          department=complaint.department, checked=meta)
    if not created:
        return None  # the same file twice
    record(actor=actor, obj=complaint, action="complaint.evidence_added",
           after={"size": meta.size, "sha256": meta.sha256, "attachment": evidence.pk})
    return evidence


def evidence_of(complaint: Complaint) -> list[Attachment]:
    return list(attachments.attachments_of(complaint, Attachment.Purpose.EVIDENCE).order_by("uploaded_at", "id"))


def add_evidence(*, actor, complaint: Complaint, upload) -> Attachment | None:
    """More evidence from the handling department (e.g. received on paper) or the filing system."""
    if complaint.department not in user_departments(actor) and complaint.recorded_by != actor:
        raise Forbidden("只有受理部门可以补充证据材料")
    meta = check_upload(upload)
    with transaction.atomic():
        return _keep(complaint, upload, meta, actor=actor)


def _accept_rule(complaint: Complaint) -> str:
    return "complaint.accept_procurement" if complaint.trading_type == TradingType.PROCUREMENT else "complaint.accept"


# One step, one governing clock. Triage has several lawful paths from receipt (accept or refuse,
# transfer to the competent department, tell the complainant where to file), each with its own
# limit (Zengdu: transfer 5 working days, accept 3). The triage clock runs to the latest lawful
# deadline, so no lawful path is ever flagged late, and is moved onto the rule of the path actually
# taken when the department acts, which decides met or late.
def _triage_paths(complaint: Complaint) -> dict[str, str]:
    return {"accept": _accept_rule(complaint), "transfer": "complaint.transfer",
            "redirect": "complaint.redirect_notice"}


def _start_triage(actor, complaint: Complaint, department: Department, started_at, label: str,
                  counterpart: Department | None = None, audit: list[Entry] | None = None):
    cal = get_calendar()
    best, best_due = None, None
    for key in _triage_paths(complaint).values():
        version = rule_for(department, key).current_version
        if version.amount is None:
            continue
        due = timing.compute_due(cal, started_at, version.amount, version.unit).date
        if best_due is None or due > best_due:
            best, best_due = key, due
    return start_clock(actor=actor, subject=complaint, rule_key=best or _accept_rule(complaint),
                       department=department, counterpart=counterpart, started_at=started_at, label=label,
                       audit=audit)


def _triage_clock(complaint: Complaint):
    keys = list(_triage_paths(complaint).values())
    return (open_clocks_for(complaint, department=complaint.department)
            .filter(rule_version__rule__key__in=keys).order_by("-started_at").first())


def _govern(actor, complaint: Complaint, path: str, label: str) -> None:
    """Move the open triage clock onto the rule of the path taken (audited)."""
    clock = _triage_clock(complaint)
    if clock is not None:
        rebase_clock(actor=actor, clock=clock, rule_key=_triage_paths(complaint)[path],
                     reason=f"审查结论：{label}，按该环节的法定时限计", label=label)


def received_by_department(complaint: Complaint):
    """When the department now handling the complaint received it: the transfer's delivery if it
    came by transfer, else the day the complaint was received."""
    handoff = complaint.transfer_handoff
    if handoff is not None and handoff.receiver_id == complaint.department_id:
        return handoff.sent_at
    return complaint.received_at


def _decide_rule(complaint: Complaint) -> str:
    return "complaint.decide_procurement" if complaint.trading_type == TradingType.PROCUREMENT else "complaint.decide"


def track(*, tracking_code: str, secret: str) -> Complaint:
    """The complainant's view: the code and the secret from the receipt, no account needed."""
    complaint = Complaint.objects.filter(tracking_code=(tracking_code or "").strip().upper()).first()
    if complaint is None or not hmac.compare_digest(complaint.secret_hash, _hash((secret or "").strip().upper())):
        raise NotFound("查询码或查询密码不正确。")
    return complaint


# --- triage ------------------------------------------------------------------------------------------
def _handling(actor, complaint: Complaint, what: str, power: str = "complaint.triage") -> Complaint:
    complaint = Complaint.objects.select_for_update().select_related("department").get(pk=complaint.pk)
    if complaint.department not in user_departments(actor):
        raise Forbidden(f"只有{complaint.department.name}的工作人员可以{what}")
    require_power(actor, complaint.department, power)  # the role inside the department (rule profile)
    return complaint


def is_designation(handoff: Handoff | None) -> bool:
    """A transfer by the supervision office designates the competent department (指定管辖)."""
    return handoff is not None and handoff.sender.is_supervision_office


def incoming_transfer(complaint: Complaint) -> Handoff | None:
    """The open transfer that brought the complaint to its current department, if any."""
    handoff = complaint.transfer_handoff
    if handoff and handoff.receiver_id == complaint.department_id and handoff.state in Handoff.OPEN_STATES:
        return handoff
    return None


def _close_triage(actor, complaint: Complaint, at) -> None:
    """The department has triaged: its own triage clocks close, and so does the transfer that brought it."""
    for clock in open_clocks_for(complaint, department=complaint.department):
        complete_clock(actor=actor, clock=clock, at=at)
    incoming = incoming_transfer(complaint)
    if incoming is not None:
        handoffs.accept_handoff(actor=actor, handoff=incoming)


def _instant(actor, complaint, rule_key, started_at, label):
    return start_met_clock(actor=actor, subject=complaint, rule_key=rule_key, department=complaint.department,
                           started_at=started_at, label=label)


def _notice(actor, complaint: Complaint, *, kind, title, body) -> Letter:
    """A letter to the complainant (their own letter: it carries their name)."""
    return issue_letter(actor=actor, issuer=complaint.department, kind=kind, title=title, body=body,
                        subject=complaint, addressee_name=complaint.complainant_name,
                        restricted_to_perm="complaints.view_complainant")


def _text_complainant(complaint: Complaint, step: str, what: str) -> None:
    """The complainant is told in writing at each legal step (Hegang 四(二)): besides the letter and the tracking
    page, a text message to the phone and an e-mail to the address they gave, queued in this transaction
    (casework.sms outbox). They name the complaint and the step only, never the complainant or the other party."""
    from casework.sms.services import queue_email, queue_sms

    track = f"{settings.PORTAL_BASE_URL}/complaints/track/"
    queue_sms(phone=complaint.contact_phone, kind=f"complaint.{step}", obj=complaint,
              text=f"【协同监管平台】您的投诉（编号{complaint.reference}）{what}。"
                   f"查询：{track} 查询码{complaint.tracking_code}")
    queue_email(email=complaint.contact_email, kind=f"complaint.{step}", obj=complaint,
                subject=f"您的投诉（编号{complaint.reference}）{what}",
                text=f"您好：\n\n您提交的投诉（编号{complaint.reference}）{what}。书面文书和办理进度请在投诉查询页面查看：\n"
                     f"{track}\n查询码：{complaint.tracking_code}（查询时还需提交投诉时获得的查询密码）。\n\n"
                     f"{complaint.department.name}\n（本邮件由公共资源交易协同监管平台自动发送，请勿直接回复。）")


@transaction.atomic
def accept_complaint(*, actor, complaint: Complaint) -> Complaint:
    complaint = _handling(actor, complaint, "受理该投诉")
    if complaint.status != Complaint.Status.SUBMITTED:
        raise Conflict(f"投诉当前为“{complaint.get_status_display()}”，不能受理")
    now = timezone.now()
    _govern(actor, complaint, "accept", "审查投诉：决定受理")
    _close_triage(actor, complaint, now)
    complaint.status, complaint.accepted_at = Complaint.Status.ACCEPTED, now
    complaint.save(update_fields=["status", "accepted_at"])
    # The decision period counts from acceptance (招标投标法实施条例 第六十一条) or, where the rule says so,
    # from receipt (政府采购质疑和投诉办法 第二十八条: 30 working days from receipt of the complaint).
    decide = rule_for(complaint.department, _decide_rule(complaint)).current_version
    started = received_by_department(complaint) if decide.starts_on == StartsOn.RECEIPT else now
    start_clock(actor=actor, subject=complaint, rule_key=_decide_rule(complaint), department=complaint.department,
                started_at=started, label="作出投诉处理决定")
    record(actor=actor, obj=complaint, action="complaint.accepted", after={"status": complaint.status})
    _text_complainant(complaint, "accepted", "已受理，我们将在法定期限内作出处理决定")
    return complaint


@transaction.atomic
def refuse_complaint(*, actor, complaint: Complaint, reasons: str) -> Complaint:
    complaint = _handling(actor, complaint, "作出不予受理决定")
    if len((reasons or "").strip()) < 10:
        raise DomainError.for_field("reasons", "不予受理须书面说明理由（不少于10个字）")
    if complaint.status != Complaint.Status.SUBMITTED:
        raise Conflict(f"投诉当前为“{complaint.get_status_display()}”，不能作出不予受理决定")
    _govern(actor, complaint, "accept", "审查投诉：决定不予受理")
    _close_triage(actor, complaint, timezone.now())
    complaint.status, complaint.triage_note = Complaint.Status.REFUSED, reasons.strip()
    complaint.decision_letter = _notice(
        actor, complaint, kind=Letter.Kind.NOTICE, title="投诉不予受理告知书",
        body=[f"你（单位）于{timezone.localtime(complaint.received_at):%Y年%m月%d日}就“{complaint.project_name}”"
              f"（项目编号 {complaint.project_code}）提出的投诉（编号 {complaint.reference}）收悉。",
              f"经审查，决定不予受理。理由如下：{reasons.strip()}"])
    complaint.save(update_fields=["status", "triage_note", "decision_letter"])
    record(actor=actor, obj=complaint, action="complaint.refused",
           after={"reasons": privacy.mask_for(complaint, complaint.triage_note)})
    _text_complainant(complaint, "refused", "经审查决定不予受理，不予受理告知书可在查询页面查阅")
    return complaint


@transaction.atomic
def redirect_complaint(*, actor, complaint: Complaint, competent: str) -> Complaint:
    """Not this department's jurisdiction: tell the complainant in writing where to file (Zengdu 第十一条)."""
    complaint = _handling(actor, complaint, "书面告知投诉人")
    if len((competent or "").strip()) < 4:
        raise DomainError.for_field("competent", "请写明应向哪个部门投诉及理由")
    if complaint.status != Complaint.Status.SUBMITTED:
        raise Conflict(f"投诉当前为“{complaint.get_status_display()}”")
    _govern(actor, complaint, "redirect", "书面告知投诉人向有管辖权的部门投诉")
    _close_triage(actor, complaint, timezone.now())
    complaint.status, complaint.triage_note = Complaint.Status.REDIRECTED, competent.strip()
    complaint.decision_letter = _notice(
        actor, complaint, kind=Letter.Kind.NOTICE, title="关于向有管辖权的部门提起投诉的告知书",
        body=[f"你（单位）就“{complaint.project_name}”提出的投诉（编号 {complaint.reference}）收悉。",
              f"经审查，该投诉事项不属于本部门管辖。{competent.strip()}"])
    complaint.save(update_fields=["status", "triage_note", "decision_letter"])
    record(actor=actor, obj=complaint, action="complaint.redirected",
           after={"note": privacy.mask_for(complaint, complaint.triage_note)})
    _text_complainant(complaint, "redirected", "不属于本部门管辖，已书面告知您向有管辖权的部门投诉，详见查询页面")
    return complaint


@transaction.atomic
def transfer_complaint(*, actor, complaint: Complaint, to: Department, reasons: str) -> Complaint:
    """Not this department's jurisdiction: transfer it to the competent one (Hegang 四(二)), over the
    shared hand-over; the letter to the receiver never names the complainant."""
    complaint = _handling(actor, complaint, "移交该投诉")
    if to == complaint.department or to.type == Department.Type.TRADING_CENTRE:
        raise DomainError.for_field("to", "请选择其他有管辖权的行政监督部门")
    if len((reasons or "").strip()) < 5:
        raise DomainError.for_field("reasons", "请说明移交理由")
    if complaint.status != Complaint.Status.SUBMITTED:
        raise Conflict(f"投诉当前为“{complaint.get_status_display()}”，不能移交")
    sender = complaint.department
    _govern(actor, complaint, "transfer", "将投诉移交有管辖权的部门")
    _close_triage(actor, complaint, timezone.now())
    # The receiver's triage runs on the complaint (one governing clock, like the sender's), not on the
    # hand-over; a transfer by the supervision office designates jurisdiction and cannot be returned.
    handoff = handoffs.send_handoff(actor=actor, kind=Handoff.Kind.COMPLAINT_TRANSFER,
                                    title=f"投诉移交：{complaint.project_name}", sender=sender, receiver=to,
                                    rule_key=None, description=privacy.mask_for(complaint, complaint.grounds),
                                    reference_prefix="TY")
    sent = issue_letter(actor=actor, issuer=sender, kind=Letter.Kind.TRANSFER, addressee=to, subject=handoff,
                 title=f"关于移交{complaint.project_name}投诉的函",
                 body=[f"我单位收到关于“{complaint.project_name}”（项目编号 {complaint.project_code}）的投诉"
                       f"（编号 {complaint.reference}，投诉人：{mask_name(complaint.complainant_name)}）。",
                       f"经审查，该投诉属于贵单位管辖：{reasons.strip()}。现移交贵单位依法处理。",
                       "投诉人身份信息请在平台内按权限查阅，并依法予以保密。"],
                 materials=["投诉书"], attachments=evidence_of(complaint))
    issue_letter(actor=actor, issuer=sender, kind=Letter.Kind.RECEIPT, addressee=to, subject=handoff,
                 title="移送回执", accompanies=sent,
                 body=[f"{sender.name}移交的“{complaint.project_name}”投诉（编号 {complaint.reference}）"
                       "及下列材料已收到。"],
                 materials=["投诉书"], attachments=evidence_of(complaint))
    complaint.department, complaint.status, complaint.triage_note = to, Complaint.Status.SUBMITTED, reasons.strip()
    complaint.transfer_handoff = handoff
    complaint.save(update_fields=["department", "status", "triage_note", "transfer_handoff"])
    assign_perm("view_complaint", to.group, complaint)
    label = "指定管辖的投诉：受理、不予受理或告知" if is_designation(handoff) else "移交来的投诉：受理、退回或告知"
    _start_triage(actor, complaint, to, handoff.sent_at, label, counterpart=sender)
    record(actor=actor, obj=complaint, action="complaint.transferred",
           after={"from": sender.code, "to": to.code, "handoff": handoff.pk})
    _text_complainant(complaint, "transferred", "已移交有管辖权的部门办理，办理期限自该部门收到之日起计算")
    notify_department(department=to, roles=STAFF, kind="complaint_transferred",
                      title=f"移交投诉：{complaint.project_name}（来自{sender.display_name}）",
                      url=complaint.get_absolute_url())
    return complaint


@transaction.atomic
def sign_transfer_receipt(*, actor, complaint: Complaint) -> Complaint:
    """The receiving department signs the receipt of a transferred complaint."""
    complaint = _handling(actor, complaint, "签收移交回执")
    incoming = incoming_transfer(complaint)
    if incoming is None or incoming.state != Handoff.State.SENT:
        raise Conflict("没有待签收的移交")
    handoffs.receive_handoff(actor=actor, handoff=incoming)
    record(actor=actor, obj=complaint, action="complaint.receipt_signed", after={"handoff": incoming.pk})
    return complaint


@transaction.atomic
def return_complaint(*, actor, complaint: Complaint, reasons: str) -> Complaint:
    """The receiver of a transfer finds it is not its jurisdiction either: it returns it in writing.
    A complaint returned twice goes to the supervision office, which receives what nobody claims (兜底)."""
    complaint = _handling(actor, complaint, "退回该投诉")
    incoming = incoming_transfer(complaint)
    if incoming is None or complaint.status != Complaint.Status.SUBMITTED:
        raise Conflict("只有移交来且尚未受理的投诉可以退回")
    if is_designation(incoming):
        raise Conflict("该投诉由综合监管部门指定管辖，不得退回")
    if len((reasons or "").strip()) < 10:
        raise DomainError.for_field("reasons", "退回须书面说明理由（不少于10个字）")
    receiver, sender = complaint.department, incoming.sender
    issue_letter(actor=actor, issuer=receiver, kind=Letter.Kind.RETURN, addressee=sender, subject=incoming,
                 title=f"关于退回{complaint.project_name}投诉的函",
                 reasons=privacy.mask_for(complaint, reasons.strip()),
                 body=[f"你单位移交的“{complaint.project_name}”投诉（编号 {complaint.reference}）已收悉。",
                       "经审查，该投诉不属于我单位管辖，现予退回。"])
    handoffs.return_handoff(actor=actor, handoff=incoming, reasons=reasons)
    for clock in open_clocks_for(complaint, department=receiver):  # returned in writing: its triage is done
        complete_clock(actor=actor, clock=clock, at=timezone.now())
    complaint.return_count += 1
    office = supervision_office_for(receiver.jurisdiction)
    target = office if complaint.return_count >= 2 and office is not None else sender
    complaint.department, complaint.triage_note = target, reasons.strip()
    complaint.save(update_fields=["department", "triage_note", "return_count"])
    assign_perm("view_complaint", target.group, complaint)
    attachments.share(attachments=evidence_of(complaint), departments=[target], basis="投诉退回")
    _start_triage(actor, complaint, target, timezone.now(), "投诉被退回：重新审查受理、移交或告知")
    record(actor=actor, obj=complaint, action="complaint.returned",
           after={"from": receiver.code, "to": target.code, "reasons": privacy.mask_for(complaint, reasons.strip()),
                  "return_count": complaint.return_count, "fallback": target == office})
    notify_department(department=target, roles=STAFF, kind="complaint_returned",
                      title=f"投诉被退回：{complaint.project_name}（{receiver.display_name}）"
                            + ("，由综合监管部门兜底受理" if target == office else ""),
                      url=complaint.get_absolute_url())
    return complaint


# --- decision and publication -----------------------------------------------------------------------
def decision_clock(complaint: Complaint) -> Clock | None:
    return (clocks_for(complaint).filter(rule_version__rule__key=_decide_rule(complaint))
            .order_by("-started_at").first())


@transaction.atomic
def decide_complaint(*, actor, complaint: Complaint, outcome: str, decision: str) -> Complaint:
    complaint = _handling(actor, complaint, "作出投诉处理决定", "complaint.decide")
    errors = {}
    if outcome not in Complaint.Outcome.values:
        errors["outcome"] = ["请选择处理结果"]
    if len((decision or "").strip()) < 10:
        errors["decision"] = ["请写明处理决定及理由（不少于10个字）"]
    if errors:
        raise DomainError("；".join(v[0] for v in errors.values()), field_errors=errors)
    if complaint.status != Complaint.Status.ACCEPTED:
        raise Conflict(f"投诉当前为“{complaint.get_status_display()}”，不能作出处理决定")
    now = timezone.now()
    for clock in open_clocks_for(complaint, department=complaint.department):
        complete_clock(actor=actor, clock=clock, at=now)
    complaint.status, complaint.outcome, complaint.decision, complaint.decided_at = (
        Complaint.Status.DECIDED, outcome, decision.strip(), now)
    complaint.decision_letter = _notice(
        actor, complaint, kind=Letter.Kind.DECISION, title="投诉处理决定书",
        body=[f"投诉人：{complaint.complainant_name}。",
              f"被投诉项目：{complaint.project_name}（项目编号 {complaint.project_code}），"
              f"{complaint.get_trading_type_display()}。",
              f"投诉事项：{complaint.grounds}", f"投诉请求：{complaint.requested_outcome}",
              f"处理结果：{Complaint.Outcome(outcome).label}。{decision.strip()}",
              "如对本决定不服，可以依法申请行政复议或者提起行政诉讼。"])
    complaint.save(update_fields=["status", "outcome", "decision", "decided_at", "decision_letter"])
    record(actor=actor, obj=complaint, action="complaint.decided",
           after={"outcome": outcome, "letter": complaint.decision_letter.doc_number})
    _text_complainant(complaint, "decided", "已作出处理决定，投诉处理决定书可在查询页面查阅")
    return complaint


def record_delivery(complaint: Complaint) -> None:
    """The complainant opened the decision on the tracking page: record delivery once."""
    if complaint.decision_letter_id and complaint.decision_delivered_at is None:
        updated = Complaint.objects.filter(pk=complaint.pk, decision_delivered_at__isnull=True).update(
            decision_delivered_at=timezone.now())
        if updated:
            record(actor=None, obj=complaint, action="complaint.decision_delivered",
                   after={"letter": complaint.decision_letter.doc_number, "channel": "tracking_page"})


@transaction.atomic
def publish_decision(*, actor, complaint: Complaint) -> Complaint:
    """Publish the outcome with the complainant's identity removed."""
    complaint = _handling(actor, complaint, "公开处理结果", "complaint.publish")
    if complaint.status != Complaint.Status.DECIDED:
        raise Conflict("只有已作出处理决定的投诉可以公开")
    if complaint.published_at:
        raise Conflict("该处理结果已公开")
    # Staff may have written the complainant's name, number or phone into the decision, in any format.
    decision = privacy.mask_for(complaint, complaint.decision)
    complaint.publication_text = privacy.mask_for(complaint, (
        f"投诉人：{mask_name(complaint.complainant_name)}\n"
        f"项目：{complaint.project_name}（{complaint.project_code}），{complaint.get_trading_type_display()}\n"
        f"投诉事由：{complaint.get_grounds_category_display()}\n"
        f"处理结果：{complaint.get_outcome_display()}\n{decision}"))
    complaint.published_at = timezone.now()
    complaint.save(update_fields=["publication_text", "published_at"])
    record(actor=actor, obj=complaint, action="complaint.published", after={"published": True})
    return complaint
