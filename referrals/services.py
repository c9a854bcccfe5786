"""Every state change of a clue referral. Keyword-only, atomic, permission-checked; each writes its
audit event, starts or stops its clocks, issues its letters and queues the status callback."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.attachments import services as attachments
from casework.attachments.models import Attachment
from casework.clocks import timing
from casework.clocks.models import Clock
from casework.clocks.services import complete_clock, event_start, open_clocks_for, start_clock, start_met_clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import Entry, record, record_many
from casework.handoffs import services as handoffs
from casework.handoffs.models import Handoff
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member, user_departments
from casework.org.services import grant
from casework.references import numbered, placeholder
from casework.rules.powers import require_power
from casework.rules.services import profile_for
from casework.uploads import check_upload
from casework.validators import uscc_problem
from casework.webhooks import services as webhooks
from referrals.models import Clue, ClueCopy, JurisdictionDispute, Matter, SignalType, Transfer

STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER)
CLOCK_SKEW = dt.timedelta(minutes=5)


# --- helpers --------------------------------------------------------------------------------
def _member(actor, department: Department) -> bool:
    return department in user_departments(actor)


def _grant(clue: Clue, department: Department) -> None:
    grant("view_clue", [department], clue)


def _locked(clue: Clue) -> Clue:
    return Clue.objects.select_for_update().get(pk=clue.pk)


def _locked_transfer(transfer: Transfer) -> Transfer:
    return (Transfer.objects.select_for_update(of=("self",))
            .select_related("clue", "handoff", "sender", "receiver").get(pk=transfer.pk))


def status_payload(clue: Clue) -> dict:
    return {
        "clue": {
            "id": clue.pk, "reference": clue.reference, "external_id": clue.external_id, "status": clue.status,
            "status_display": clue.get_status_display(), "return_count": clue.return_count,
            "transfers": [{"id": t.pk, "receiver": t.receiver.code, "state": t.handoff.state}
                          for t in clue.transfers.select_related("receiver", "handoff")],
            "result": clue.result,
        },
        "at": timezone.now(),
    }


def _changed(clue: Clue, event: str) -> None:
    """Queue the callback for a status change, in the same transaction as the change."""
    if clue.callback_url:
        webhooks.enqueue(subject=clue, url=clue.callback_url, secret=clue.callback_secret, event=event,
                         payload=status_payload(clue))


def _aware(value: dt.datetime | None, field: str, label: str) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        raise DomainError.for_field(field, f"{label}须带时区（如 2026-11-20T09:30:00+08:00）")
    return value


def _not_future(value: dt.datetime, field: str, label: str) -> None:
    if value > timezone.now() + CLOCK_SKEW:
        raise DomainError.for_field(field, f"{label}不能晚于当前时间")


# --- intake -----------------------------------------------------------------------------------
@dataclass
class ClueInput:
    project_code: str
    project_name: str
    discovered_at: dt.datetime
    signal_type: str
    summary: str
    supervising_department: str  # department code
    external_id: str = ""
    bidders: list | None = None
    details: dict | None = None
    callback_url: str = ""


@dataclass
class IntakeResult:
    clue: Clue
    created: bool
    callback_secret: str = ""
    clocks: list | None = None  # a new clue's clocks, as written (the response need not read them back)


def pushing_department(actor) -> Department:
    """The trading centre the actor pushes for; only trading centres push clues."""
    for dept in user_departments(actor):
        if dept.type == Department.Type.TRADING_CENTRE:
            return dept
    raise Forbidden("只有公共资源交易中心可以推送问题线索")


def _validate(data: ClueInput) -> tuple[Department, list, dict]:
    errors: dict[str, list[str]] = {}
    for field, label, limit in (("project_code", "项目编号", 64), ("project_name", "项目名称", 200),
                                ("summary", "线索摘要", 20000)):
        value = (getattr(data, field) or "").strip()
        if not value:
            errors[field] = [f"请填写{label}"]
        elif len(value) > limit:
            errors[field] = [f"{label}不能超过{limit}个字符"]
    if data.signal_type not in SignalType.values:
        errors["signal_type"] = [f"预警类型须为 {', '.join(SignalType.values)} 之一"]
    if not isinstance(data.discovered_at, dt.datetime) or timezone.is_naive(data.discovered_at):
        errors["discovered_at"] = ["发现时间须为带时区的 ISO 8601 时间，如 2026-11-20T09:30:00+08:00"]
    elif data.discovered_at > timezone.now() + CLOCK_SKEW:
        errors["discovered_at"] = ["发现时间不能晚于当前时间"]
    dept = (Department.objects.filter(code=data.supervising_department, active=True)
            .select_related("jurisdiction").first())
    if dept is None:
        errors["supervising_department"] = [f"单位代码“{data.supervising_department}”不存在"]
    elif dept.type == Department.Type.TRADING_CENTRE:
        errors["supervising_department"] = ["线索应推送至行政监督部门，不能推送给交易中心"]
    elif not dept.is_supervising:
        # Luoyang 三(一): the centre reports to the project's supervising department, which then transfers
        # what belongs to the police, the courts or discipline organs (Luoyang 三(二)).
        errors["supervising_department"] = [f"{dept.name}不是公共资源交易的行政监督部门；线索应推送至项目的"
                                             "行政监督部门，由其移送公安、纪检监察等机关"]
    bidders = data.bidders or []
    if not isinstance(bidders, list):
        errors["bidders"] = ["bidders 须为列表"]
        bidders = []
    clean_bidders = []
    for i, bidder in enumerate(bidders):
        if not isinstance(bidder, dict) or not str(bidder.get("name") or "").strip():
            errors[f"bidders.{i}.name"] = ["请填写投标人名称"]
            continue
        uscc = str(bidder.get("uscc") or "").strip().upper()
        problem = uscc_problem(uscc) if uscc else None
        if problem:
            errors[f"bidders.{i}.uscc"] = [problem]
        clean_bidders.append({"name": str(bidder["name"]).strip(), "uscc": uscc})
    details = data.details or {}
    if not isinstance(details, dict):
        errors["details"] = ["details 须为对象"]
    if data.callback_url and (problem := webhooks.url_problem(data.callback_url, resolve=False)):
        errors["callback_url"] = [problem]
    if errors:
        raise DomainError("线索数据有误：" + "；".join(f"{k}：{v[0]}" for k, v in errors.items()),
                          field_errors=errors)
    return dept, clean_bidders, details


def _fingerprint(data: ClueInput, bidders, details) -> str:
    canonical = {
        "project_code": data.project_code.strip(), "project_name": data.project_name.strip(),
        "discovered_at": data.discovered_at.astimezone(dt.UTC).isoformat(), "signal_type": data.signal_type,
        "summary": data.summary.strip(), "supervising_department": data.supervising_department,
        "bidders": bidders, "details": details,
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def intake_clue(*, actor, data: ClueInput, client=None, submission_key: str = "") -> IntakeResult:
    """Receive a clue from the trading centre (API or web form). Idempotent: the same sender and
    external id (or the same web submission) returns the first clue; a different payload under
    the same external id is a Conflict. Safe when two identical requests race."""
    source = pushing_department(actor)
    supervising, bidders, details = _validate(data)
    external_id = (data.external_id or "").strip()
    if external_id and len(external_id) > 100:
        raise DomainError.for_field("external_id", "外部编号不能超过100个字符")
    if client is not None and external_id:
        key = f"client:{client.pk}:{external_id}"
    elif external_id:
        key = f"dept:{source.pk}:{external_id}"
    else:
        key = f"web:{submission_key}" if submission_key else f"auto:{uuid.uuid4()}"
    fingerprint = _fingerprint(data, bidders, details)
    existing = Clue.objects.filter(intake_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return _create(actor, client, source, supervising, data, bidders, details, key, external_id,
                               fingerprint)
        except IntegrityError:
            existing = Clue.objects.filter(intake_key=key).first()
            if existing is None:
                raise
    if existing.payload_hash != fingerprint:
        message = f"外部编号“{external_id}”已用于内容不同的线索 {existing.reference}，请使用新的外部编号"
        raise Conflict(message, field_errors={"external_id": [message]})
    return IntakeResult(existing, False)


def _create(actor, client, source, supervising, data, bidders, details, key, external_id, fingerprint):
    now = timezone.now()
    clue = Clue.objects.create(
        reference=placeholder(), intake_key=key, external_id=external_id, api_client=client,
        payload_hash=fingerprint, source_department=source, supervising_department=supervising,
        project_code=data.project_code.strip(), project_name=data.project_name.strip(),
        discovered_at=data.discovered_at, signal_type=data.signal_type, summary=data.summary.strip(),
        bidders=bidders, details=details, received_at=now, received_by=actor)
    clue.reference = numbered("XS", clue.pk, now)
    secret = ""
    if data.callback_url:
        clue.callback_url, clue.callback_secret = data.callback_url, webhooks.new_secret()
        secret = clue.callback_secret
    clue.refresh_search_text()
    clue.save(update_fields=["reference", "callback_url", "callback_secret", *Clue.SEARCH_FIELDS])
    grant("view_clue", [source, supervising], clue)
    # The push's five or so audit events in one INSERT at the end (same transaction, same order).
    audit = [Entry(clue, "clue.received", actor=actor, after={
        "reference": clue.reference, "external_id": external_id, "signal_type": clue.signal_type,
        "project_code": clue.project_code, "source": source.code, "supervising": supervising.code,
        "discovered_at": clue.discovered_at})]
    # The trading centre's push limit runs from discovery; pushing now meets or misses it.
    push = start_clock(actor=actor, subject=clue, rule_key="referral.push", department=source,
                       counterpart=supervising, started_at=clue.discovered_at, label="推送问题线索（自发现之日起）",
                       audit=audit, unsaved=True)  # met or missed by this very push: written once, closed
    if push is not None:
        push = complete_clock(actor=actor, clock=push, at=now, created_here=True, audit=audit)
        if push.state == Clock.State.BREACHED:
            audit.append(Entry(clue, "clue.pushed_late", actor=actor, after={
                "due_at": push.due_at, "pushed_at": now, "department": source.code}))
    transfer = start_clock(actor=actor, subject=clue, rule_key="referral.transfer", department=supervising,
                           counterpart=source, started_at=now, label="研判线索：自行办理或移送有管辖权的机关",
                           audit=audit)
    profile = profile_for(supervising.jurisdiction)
    if profile.copy_bid_rigging_to_police and clue.is_bid_rigging:
        police = _nearest(supervising, Department.Type.POLICE)
        if police is not None:
            ClueCopy.objects.create(clue=clue, department=police, basis=profile.copy_clause)
            _grant(clue, police)
            audit.append(Entry(clue, "clue.copied", actor=actor, after={"department": police.code,
                                                                        "basis": profile.copy_clause}))
            notify_department(department=police, roles=STAFF, kind="clue_copy",
                              title=f"同时推送：{clue.project_name}（{clue.get_signal_type_display()}）",
                              body=f"依据{profile.copy_clause}，涉嫌围标串标、弄虚作假的线索同时推送公安机关。",
                              url=clue.get_absolute_url())
    record_many(audit)
    notify_department(department=supervising, roles=STAFF, kind="clue_received",
                      title=f"新线索：{clue.project_name}（{clue.get_signal_type_display()}）",
                      body=clue.summary[:2000], url=clue.get_absolute_url())
    clocks = sorted((c for c in (push, transfer) if c is not None), key=lambda c: (c.started_at, c.pk))
    return IntakeResult(clue, True, secret, clocks)


def _nearest(department: Department, type_: str) -> Department | None:
    """The department of a type in the same jurisdiction, else the nearest one above."""
    for node in department.jurisdiction.lineage():
        found = Department.objects.filter(jurisdiction=node, type=type_, active=True).order_by("code").first()
        if found:
            return found
    return None


def intake_report(*, department: Department, project_code: str, project_name: str, summary: str,
                  submission_key: str) -> IntakeResult:
    """An anonymous report (举报) from the public: handled as a clue by the department it was sent to,
    with no complainant and no complaint clock; nobody's identity is collected."""
    errors = {}
    if len((summary or "").strip()) < 10:
        errors["summary"] = ["请写明举报的事实（不少于10个字）"]
    if not (project_name or "").strip():
        errors["project_name"] = ["请填写涉及的项目名称"]
    if department.type == Department.Type.TRADING_CENTRE:
        errors["department"] = ["请选择行政监督部门"]
    if errors:
        raise DomainError("举报信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    key = f"report:{submission_key}"
    existing = Clue.objects.filter(intake_key=key).first()
    if existing:
        return IntakeResult(existing, False)
    now = timezone.now()
    with transaction.atomic():
        clue = Clue.objects.create(
            reference=placeholder(), intake_key=key, payload_hash=hashlib.sha256(summary.encode()).hexdigest(),
            source_department=department, supervising_department=department,
            project_code=(project_code or "").strip() or "（未提供）", project_name=project_name.strip(),
            discovered_at=now, signal_type=SignalType.OTHER, summary=summary.strip(),
            details={"channel": "anonymous_report"}, received_at=now, received_by=None)
        clue.reference = numbered("JB", clue.pk, now)
        clue.refresh_search_text()
        clue.save(update_fields=["reference", *Clue.SEARCH_FIELDS])
        _grant(clue, department)
        record(actor=None, obj=clue, action="clue.reported", after={"reference": clue.reference,
                                                                    "department": department.code})
        start_clock(actor=None, subject=clue, rule_key="referral.transfer", department=department,
                    started_at=now, label="研判举报线索：自行办理或移送有管辖权的机关")
        notify_department(department=department, roles=STAFF, kind="clue_reported",
                          title=f"匿名举报：{clue.project_name}", body=clue.summary[:2000],
                          url=clue.get_absolute_url())
    return IntakeResult(clue, True)


@transaction.atomic
def refer_matter(*, actor, department: Department, origin, project_code: str, project_name: str, summary: str,
                 receivers: list[Department], matter: str, legal_basis: str, materials: list[str],
                 discovered_at: dt.datetime | None = None) -> Clue:
    """A matter a department found itself (a joint action's finding, a meeting's decision) that belongs to
    another organ: recorded as a clue the department holds and transferred with its 移送函 in one step.
    One clue per origin: a retry or a double click returns the clue already made."""
    require_member(actor, department, "移送该事项")
    if origin is None or getattr(origin, "pk", None) is None:
        raise DomainError.for_field("origin", "须说明该事项来自哪一项工作")
    key = f"origin:{origin._meta.label_lower}:{origin.pk}"
    existing = Clue.objects.filter(intake_key=key).first()
    if existing is not None:
        return existing
    errors: dict[str, list[str]] = {}
    for field, label, value, limit in (("project_code", "项目编号", project_code, 64),
                                       ("project_name", "项目名称", project_name, 200),
                                       ("summary", "问题情况", summary, 20000)):
        if not (value or "").strip():
            errors[field] = [f"请填写{label}"]
        elif len(value.strip()) > limit:
            errors[field] = [f"{label}不能超过{limit}个字符"]
    now = timezone.now()
    discovered_at = discovered_at or now
    if timezone.is_naive(discovered_at):
        errors["discovered_at"] = ["发现时间须带时区"]
    elif discovered_at > now + CLOCK_SKEW:
        errors["discovered_at"] = ["发现时间不能晚于当前时间"]
    if errors:
        raise DomainError("移送信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    url = origin.get_absolute_url() if hasattr(origin, "get_absolute_url") else ""
    details = {"channel": "origin", "origin": {"type": origin._meta.label_lower, "id": origin.pk,
                                               "label": str(origin)[:200], "url": url}}
    clue = Clue(reference=placeholder(), intake_key=key, payload_hash=hashlib.sha256(key.encode()).hexdigest(),
                source_department=department, supervising_department=department,
                project_code=project_code.strip(), project_name=project_name.strip(), discovered_at=discovered_at,
                signal_type=SignalType.OTHER, summary=summary.strip(), details=details, received_at=now,
                received_by=actor, status=Clue.Status.REGISTERED, registered_at=now)
    try:
        with transaction.atomic():
            clue.save()
    except IntegrityError:  # the same origin referred twice at once
        return Clue.objects.get(intake_key=key)
    clue.reference = numbered("XS", clue.pk, now)
    clue.refresh_search_text()
    clue.save(update_fields=["reference", *Clue.SEARCH_FIELDS])
    _grant(clue, department)
    record(actor=actor, obj=clue, action="clue.referred_from",
           after={"reference": clue.reference, "department": department.code, "origin": details["origin"],
                  "project_code": clue.project_code, "discovered_at": discovered_at})
    start_clock(actor=actor, subject=clue, rule_key="referral.transfer", department=department,
                started_at=discovered_at, label="移送非本部门管辖的问题（自发现之日起）")
    transfer_clue(actor=actor, clue=clue, receivers=receivers, matter=matter, legal_basis=legal_basis,
                  materials=materials, sender=department)
    clue.refresh_from_db()
    return clue


def register_callback(*, actor, clue: Clue, url: str) -> str:
    """Register (or replace) the status callback; returns the new shared secret once."""
    if not _member(actor, clue.source_department):
        raise Forbidden("只有推送该线索的交易中心可以登记回调地址")
    if problem := webhooks.url_problem(url or "", resolve=False):
        raise DomainError.for_field("url", problem)
    with transaction.atomic():
        clue = _locked(clue)
        clue.callback_url, clue.callback_secret = url, webhooks.new_secret()
        clue.save(update_fields=["callback_url", "callback_secret"])
        record(actor=actor, obj=clue, action="clue.callback_registered", after={"url": url})
    return clue.callback_secret


# --- evidence ---------------------------------------------------------------------------------
def add_evidence(*, actor, clue: Clue, upload) -> tuple[Attachment, bool]:
    """Store an evidence file (checked from its bytes) with its SHA-256. The same file twice is recognised, not
    duplicated. Evidence from the trading centre reaches the supervising department (and a police copy) at once;
    any other party's evidence stays with its department until a transfer or letter lists it."""
    involved = [clue.source_department, clue.supervising_department] + [t.receiver for t in clue.transfers.all()]
    department = next((d for d in involved if _member(actor, d)), None)
    if department is None:
        raise Forbidden("只有推送、监督或接收该线索的单位可以上传证据")
    checked = check_upload(upload)
    share_with = []
    if department == clue.source_department:
        share_with = [clue.supervising_department] + [c.department for c in clue.copies.select_related("department")]
    with transaction.atomic():
        evidence, created = attachments.store(actor=actor, owner=clue, purpose=Attachment.Purpose.EVIDENCE,
                                              department=department, checked=checked, share_with=share_with,
                                              basis="线索推送")
        if created:
            record(actor=actor, obj=clue, action="clue.evidence_added",
                   after={"name": evidence.name, "size": evidence.size, "sha256": evidence.sha256,
                          "attachment": evidence.pk, "department": department.code})
    return evidence, created


def evidence_for(clue: Clue, sender: Department) -> list[Attachment]:
    """The evidence that travels with a transfer from `sender`: what it holds (uploaded or received); the
    supervision office designating jurisdiction passes on all of the clue's evidence."""
    from django.db.models import Q

    qs = attachments.attachments_of(clue, Attachment.Purpose.EVIDENCE)
    if not sender.is_supervision_office:
        qs = qs.filter(Q(department=sender) | Q(shares__department=sender)).distinct()
    return list(qs.order_by("uploaded_at", "id"))


def _store_files(actor, owner, uploads, *, purpose: str, department: Department, field: str) -> list[Attachment]:
    """Check every upload first (nothing half-written), then keep them for `owner`."""
    checked = [check_upload(u, field=field) for u in uploads or ()]
    return [attachments.store(actor=actor, owner=owner, purpose=purpose, department=department, checked=c)[0]
            for c in checked]


# --- handling by the supervising department ----------------------------------------------------
@transaction.atomic
def register_clue(*, actor, clue: Clue) -> Clue:
    require_member(actor, clue.supervising_department, "登记该线索")
    require_power(actor, clue.supervising_department, "referral.register")
    clue = _locked(clue)
    if clue.status != Clue.Status.RECEIVED:
        raise Conflict(f"线索当前为“{clue.get_status_display()}”，无需重复登记")
    clue.status, clue.registered_at = Clue.Status.REGISTERED, timezone.now()
    clue.save(update_fields=["status", "registered_at"])
    record(actor=actor, obj=clue, action="clue.registered", before={"status": "received"},
           after={"status": clue.status})
    _changed(clue, "clue.registered")
    return clue


@transaction.atomic
def handle_clue(*, actor, clue: Clue, result: str) -> Clue:
    """Within its own duty: the supervising department handles the clue and records the result."""
    require_member(actor, clue.supervising_department, "办结该线索")
    require_power(actor, clue.supervising_department, "referral.handle")
    if len((result or "").strip()) < 5:
        raise DomainError.for_field("result", "请填写办理结果（不少于5个字）")
    clue = _locked(clue)
    if clue.status not in (Clue.Status.RECEIVED, Clue.Status.REGISTERED):
        raise Conflict(f"线索当前为“{clue.get_status_display()}”，不能由本部门直接办结")
    now = timezone.now()
    for clock in open_clocks_for(clue, department=clue.supervising_department):
        complete_clock(actor=actor, clock=clock, at=now)
    before = {"status": clue.status}
    clue.status, clue.result, clue.closed_at = Clue.Status.CLOSED, result.strip(), now
    clue.registered_at = clue.registered_at or now
    clue.save(update_fields=["status", "result", "closed_at", "registered_at"])
    record(actor=actor, obj=clue, action="clue.handled", before=before, after={"status": clue.status,
                                                                               "result": clue.result})
    _changed(clue, "clue.closed")
    return clue


# --- transfer -----------------------------------------------------------------------------------
def holder_departments(clue: Clue, transfers=None) -> list[Department]:
    """Who may transfer the clue on: the supervising department, and any receiver that accepted it.
    `transfers`: the clue's transfers already read (with receiver and handoff)."""
    holders = [clue.supervising_department]
    if transfers is None:
        transfers = clue.transfers.select_related("receiver", "handoff")
    holders += [t.receiver for t in transfers if t.handoff.state == Handoff.State.ACCEPTED]
    return list(dict.fromkeys(holders))


def _transfer_body(clue: Clue, receiver: Department, matter: str, legal_basis: str) -> list[str]:
    return [
        f"我单位在监管工作中收到{clue.source_department.name}推送的问题线索（编号 {clue.reference}），"
        f"涉及项目“{clue.project_name}”（项目编号 {clue.project_code}），预警类型为{clue.get_signal_type_display()}。",
        f"线索摘要：{clue.summary}",
        f"经研判，该问题属于“{Matter(matter).label}”，依据{legal_basis}，属于贵单位管辖范围，现将有关问题线索"
        f"及材料移送贵单位，请依法处理。",
        "请在收到本函后签收移送回执；对不属于贵单位职责范围的，请在规定时限内书面说明理由并退回；"
        "受理后请及时将处理结果书面反馈我单位。",
    ]


def _designation_body(clue: Clue, receiver: Department, legal_basis: str) -> list[str]:
    """指定管辖通知书: the office decides a dispute; it did not receive the clue from the trading centre and the
    designated department may not return it."""
    dispute = clue.disputes.filter(designated=receiver).order_by("-decided_at", "-id").first()
    between = f"{dispute.first.name}与{dispute.second.name}" if dispute else "有关部门"
    reason = dispute.reason if dispute else legal_basis
    return [
        f"{between}对“{clue.project_name}”问题线索（编号 {clue.reference}，项目编号 {clue.project_code}）的管辖"
        f"存在争议，该线索已在上述单位之间多次退回。",
        f"经研究，根据{reason.rstrip('。；;，,')}，指定由你单位管辖。现将有关问题线索及材料移送你单位，请依法处理。",
        "本事项为指定管辖，你单位不得退回。请在收到本通知后签收回执，并将处理结果书面反馈我办。",
    ]


def _issue(actor, *, issuer, kind, title, addressee, body, materials, subject, reasons="", attachments=(),
           accompanies=None) -> Letter:
    return issue_letter(actor=actor, issuer=issuer, kind=kind, title=title, body=body, subject=subject,
                        addressee=addressee, materials=list(materials), reasons=reasons, attachments=attachments,
                        accompanies=accompanies)


@transaction.atomic
def transfer_clue(*, actor, clue: Clue, receivers: list[Department], matter: str, legal_basis: str,
                  materials: list[str], delivery_method: str = Transfer.Delivery.SYSTEM,
                  delivered_at: dt.datetime | None = None, sender: Department | None = None,
                  parent: Transfer | None = None, designated: bool = False) -> list[Transfer]:
    """Transfer the clue to one or more receiving organs, each with a 移送函 and a 移送回执.
    The receiver's clocks start at delivery: at once through the portal, at the recorded time on paper."""
    clue = _locked(clue)
    if sender is None:
        sender = next((d for d in holder_departments(clue) if _member(actor, d)), None)
        if sender is None:
            raise Forbidden("只有线索的行政监督部门（或已受理的接收单位）可以移送该线索")
        require_power(actor, sender, "referral.handle")
    elif not _member(actor, sender):  # a forwarding receiver, or the office designating jurisdiction
        raise Forbidden(f"您不属于{sender.name}")
    errors: dict[str, list[str]] = {}
    receivers = list(dict.fromkeys(receivers))
    if not receivers:
        errors["receivers"] = ["请至少选择一个接收单位"]
    if sender in receivers:
        errors["receivers"] = ["接收单位不能是移送单位本身"]
    elif any(r.type == Department.Type.TRADING_CENTRE for r in receivers):
        errors["receivers"] = ["线索不能移送给公共资源交易中心"]
    if matter not in Matter.values:
        errors["matter"] = ["请选择移送事项"]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = ["请填写移送的法律依据"]
    materials = [m.strip() for m in materials or [] if m and m.strip()]
    files = evidence_for(clue, sender)
    if not materials and not files:
        errors["materials"] = ["请列明移送材料（至少一项）"]
    if delivery_method not in Transfer.Delivery.values:
        errors["delivery_method"] = ["请选择送达方式"]
    if delivery_method == Transfer.Delivery.SYSTEM:
        delivered_at = timezone.now()
    elif delivered_at is None:
        errors["delivered_at"] = ["纸质或邮件送达须填写实际送达时间"]
    else:
        _aware(delivered_at, "delivered_at", "送达时间")
        if delivered_at > timezone.now() + CLOCK_SKEW:
            errors["delivered_at"] = ["送达时间不能晚于当前时间"]
        elif delivered_at < clue.received_at.replace(second=0, microsecond=0):  # forms record minutes
            errors["delivered_at"] = ["送达时间不能早于线索接收时间"]
    if errors:
        raise DomainError("移送信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    if clue.status == Clue.Status.CLOSED:
        raise Conflict("线索已办结，不能再移送")
    if clue.status == Clue.Status.DISPUTED and not designated:
        raise Conflict("该线索存在管辖争议，须由综合监管部门指定管辖")
    busy = {t.receiver for t in clue.transfers.select_related("receiver", "handoff")
            if t.handoff.state in Handoff.OPEN_STATES}
    clash = [r.name for r in receivers if r in busy]
    if clash:
        raise Conflict(f"该线索已移送{'、'.join(clash)}且尚未办结，请勿重复移送",
                       field_errors={"receivers": ["重复移送"]})
    transfers = []
    for receiver in receivers:
        handoff = handoffs.send_handoff(
            actor=actor, kind=Handoff.Kind.CASE_TRANSFER,
            title=f"{clue.project_name}：{clue.get_signal_type_display()}",
            sender=sender, receiver=receiver, sent_at=delivered_at,
            # A designated receiver may not return the matter, so no return clock runs for it.
            rule_key=None if designated else "referral.return",
            description=clue.summary, reference_prefix="YS")
        transfer = Transfer.objects.create(
            clue=clue, handoff=handoff, sender=sender, receiver=receiver, matter=matter,
            legal_basis=legal_basis.strip(), materials=materials, delivery_method=delivery_method,
            delivered_at=delivered_at, parent=parent, designated=designated, created_by=actor)
        if designated:
            transfer.transfer_letter = _issue(
                actor, issuer=sender, kind=Letter.Kind.DESIGNATION, addressee=receiver, materials=materials,
                title=f"关于指定{receiver.name}管辖{clue.project_name}有关问题线索的通知", subject=transfer,
                body=_designation_body(clue, receiver, legal_basis.strip()), attachments=files)
        else:
            transfer.transfer_letter = _issue(
                actor, issuer=sender, kind=Letter.Kind.TRANSFER, addressee=receiver, materials=materials,
                title=f"关于移送{clue.project_name}有关问题线索的函", subject=transfer,
                body=_transfer_body(clue, receiver, matter, legal_basis.strip()), attachments=files)
        transfer.receipt_letter = _issue(
            actor, issuer=sender, kind=Letter.Kind.RECEIPT, addressee=receiver, materials=materials,
            attachments=files, accompanies=transfer.transfer_letter,
            title="移送回执", subject=transfer,
            body=[f"{sender.name}移送的“{clue.project_name}”问题线索（编号 {clue.reference}）及下列材料已收到。"])
        transfer.save(update_fields=["transfer_letter", "receipt_letter"])
        _grant(clue, receiver)
        record(actor=actor, obj=clue, action="clue.transferred",
               after={"transfer": transfer.pk, "sender": sender.code, "receiver": receiver.code,
                      "receiver_name": receiver.name, "matter": matter,
                      "delivery_method": delivery_method, "delivered_at": delivered_at,
                      "letter": transfer.transfer_letter.doc_number, "designated": designated})
        notify_department(department=receiver, roles=STAFF, kind="transfer_received",
                          title=f"收到移送线索：{clue.project_name}（来自{sender.display_name}）",
                          body=f"移送函 {transfer.transfer_letter.doc_number}。"
                               "请签收回执，并在规定时限内受理或书面说明理由退回。",
                          url=clue.get_absolute_url())
        transfers.append(transfer)
    for clock in open_clocks_for(clue, department=sender):
        complete_clock(actor=actor, clock=clock, at=timezone.now())
    before = {"status": clue.status}
    clue.status = Clue.Status.TRANSFERRED
    clue.registered_at = clue.registered_at or timezone.now()
    clue.save(update_fields=["status", "registered_at"])
    if before["status"] != clue.status:
        record(actor=actor, obj=clue, action="clue.status", before=before, after={"status": clue.status})
    _changed(clue, "clue.transferred")
    return transfers


# --- the receiver ---------------------------------------------------------------------------------
def _receiver_action(actor, transfer: Transfer, what: str) -> Transfer:
    transfer = _locked_transfer(transfer)
    require_member(actor, transfer.receiver, what)
    require_power(actor, transfer.receiver, "referral.handle")
    return transfer


@transaction.atomic
def sign_receipt(*, actor, transfer: Transfer) -> Transfer:
    transfer = _receiver_action(actor, transfer, "签收移送回执")
    if transfer.receipt_signed_at:
        raise Conflict(f"回执已于 {timezone.localtime(transfer.receipt_signed_at):%Y-%m-%d %H:%M} 签收")
    _sign(actor, transfer)
    return transfer


def _sign(actor, transfer: Transfer) -> None:
    transfer.receipt_signed_at, transfer.receipt_signed_by = timezone.now(), actor
    transfer.save(update_fields=["receipt_signed_at", "receipt_signed_by"])
    if transfer.handoff.state == Handoff.State.SENT:
        handoffs.receive_handoff(actor=actor, handoff=transfer.handoff)
    record(actor=actor, obj=transfer.clue, action="clue.receipt_signed",
           after={"transfer": transfer.pk, "receiver": transfer.receiver.code, "receiver_name": transfer.receiver.name,
                  "receipt": transfer.receipt_letter.doc_number if transfer.receipt_letter else ""})


def _instant_clock(actor, transfer: Transfer, rule_key: str, started_at: dt.datetime, label: str):
    return start_met_clock(actor=actor, subject=transfer.handoff, rule_key=rule_key, department=transfer.receiver,
                           counterpart=transfer.sender, started_at=started_at, label=label)


@transaction.atomic
def accept_transfer(*, actor, transfer: Transfer, decided_at: dt.datetime | None = None) -> Transfer:
    transfer = _receiver_action(actor, transfer, "受理该移送")
    if transfer.handoff.state not in (Handoff.State.SENT, Handoff.State.RECEIVED):
        raise Conflict(f"该移送当前为“{transfer.get_state_display()}”，不能受理")
    decided_at = _aware(decided_at, "decided_at", "受理决定时间") or timezone.now()
    _not_future(decided_at, "decided_at", "受理决定时间")
    if decided_at < transfer.delivered_at:
        raise DomainError.for_field("decided_at", "受理决定时间不能早于送达时间")
    if not transfer.receipt_signed_at:
        _sign(actor, transfer)
    handoffs.accept_handoff(actor=actor, handoff=transfer.handoff)
    transfer.decided_at = decided_at
    transfer.save(update_fields=["decided_at"])
    _instant_clock(actor, transfer, "referral.accept_notice", decided_at, "告知移送单位是否受理")
    record(actor=actor, obj=transfer.clue, action="clue.accepted",
           after={"transfer": transfer.pk, "receiver": transfer.receiver.code, "receiver_name": transfer.receiver.name,
                  "decided_at": decided_at})
    notify_department(department=transfer.sender, roles=STAFF, kind="transfer_accepted",
                      title=f"{transfer.receiver.display_name}已受理：{transfer.clue.project_name}",
                      url=transfer.clue.get_absolute_url())
    _changed(transfer.clue, "clue.accepted")
    return transfer


def _handling_finished(actor, transfer: Transfer, completed_on) -> None:
    """The day handling was finished (处理完毕日期), given by the receiver: the result-feedback clock
    (Weihai (十四) 3, Zengdu 第十五条 10 working days) starts there and stays open until the written
    feedback is sent. Not in the future, not before acceptance."""
    accepted = transfer.decided_at or transfer.delivered_at
    completed_at = event_start(on=completed_on, field="completed_on", label="处理完毕日期",
                               not_before=accepted, not_before_label="受理日期")
    transfer.completed_at = completed_at
    transfer.save(update_fields=["completed_at"])
    clock = start_clock(actor=actor, subject=transfer.handoff, rule_key="referral.result_feedback",
                        department=transfer.receiver, counterpart=transfer.sender, started_at=completed_at,
                        label="向移送单位书面反馈处理结果")
    record(actor=actor, obj=transfer.clue, action="clue.handling_finished",
           after={"transfer": transfer.pk, "receiver": transfer.receiver.code, "receiver_name": transfer.receiver.name,
                  "completed_on": timing.local_date(completed_at), "feedback_due": clock.due_at if clock else None})


@transaction.atomic
def record_handling_finished(*, actor, transfer: Transfer, completed_on: dt.date | dt.datetime | None) -> Transfer:
    """The receiver records that handling was finished on a given day; the written feedback follows."""
    transfer = _receiver_action(actor, transfer, "登记处理完毕")
    if transfer.handoff.state != Handoff.State.ACCEPTED:
        raise Conflict(f"该移送当前为“{transfer.get_state_display()}”，须先受理")
    if transfer.completed_at is not None:
        raise Conflict(f"已登记处理完毕日期（{timing.local_date(transfer.completed_at):%Y-%m-%d}）")
    _handling_finished(actor, transfer, completed_on)
    return transfer


@transaction.atomic
def report_result(*, actor, transfer: Transfer, result: str, completed_on: dt.date | dt.datetime | None = None,
                  completed_at: dt.datetime | None = None, uploads=()) -> Transfer:
    """Report the handling result to the sender in writing (a 处理结果告知函, Luoyang 三(六) 书面告知移送部门),
    with any files that document it: closes the loop and the feedback clock. The day handling was finished
    is given here unless it was recorded before."""
    transfer = _receiver_action(actor, transfer, "反馈处理结果")
    if transfer.handoff.state != Handoff.State.ACCEPTED:
        raise Conflict(f"该移送当前为“{transfer.get_state_display()}”，须先受理再反馈结果")
    if len((result or "").strip()) < 5:
        raise DomainError.for_field("result", "请填写处理结果（不少于5个字）")
    completed_on = completed_on if completed_on is not None else completed_at
    checked = [check_upload(u, field="files") for u in uploads or ()]  # every file checked before any write
    if transfer.completed_at is None:
        _handling_finished(actor, transfer, completed_on)
    elif completed_on is not None and timing.local_date(transfer.completed_at) != (
            completed_on if not isinstance(completed_on, dt.datetime) else timing.local_date(completed_on)):
        raise DomainError.for_field("completed_on", "处理完毕日期已登记为"
                                    f"{timing.local_date(transfer.completed_at):%Y-%m-%d}，不能更改")
    handoffs.complete_handoff(actor=actor, handoff=transfer.handoff, result=result)  # closes the feedback clock
    transfer.result = result.strip()
    files = [attachments.store(actor=actor, owner=transfer, purpose=Attachment.Purpose.RESULT,
                               department=transfer.receiver, checked=c)[0] for c in checked]
    clue = transfer.clue
    sent = transfer.transfer_letter.doc_number if transfer.transfer_letter else ""
    transfer.result_letter = _issue(
        actor, issuer=transfer.receiver, kind=Letter.Kind.RESULT_NOTICE, addressee=transfer.sender, subject=transfer,
        title=f"关于{clue.project_name}有关问题线索处理结果的告知函", materials=[], attachments=files,
        body=[f"你单位移送的“{clue.project_name}”问题线索（编号 {clue.reference}{'，移送函 ' + sent if sent else ''}）"
              f"我单位已依法受理，并于{timezone.localtime(transfer.completed_at):%Y年%m月%d日}办结。现将处理结果告知如下：",
              *[p for p in re.split(r"\n\s*\n", transfer.result) if p.strip()], "特此告知。"])
    transfer.save(update_fields=["result", "result_letter"])
    record(actor=actor, obj=clue, action="clue.result_reported",
           after={"transfer": transfer.pk, "receiver": transfer.receiver.code, "receiver_name": transfer.receiver.name,
                  "result": transfer.result, "letter": transfer.result_letter.doc_number,
                  "files": [{"name": f.name, "sha256": f.sha256} for f in files]})
    notify_department(department=transfer.sender, roles=STAFF, kind="transfer_result",
                      title=f"{transfer.receiver.display_name}反馈处理结果：{clue.project_name}",
                      body=f"{transfer.result_letter.doc_number}：{transfer.result[:999]}", url=clue.get_absolute_url())
    _settle(actor, clue)
    return transfer


@transaction.atomic
def return_transfer(*, actor, transfer: Transfer, reasons: str, uploads=()) -> Transfer:
    """Not this receiver's duty: return with written reasons (a 退回函); never without them. Files that support
    the reasons travel with the letter, and so does the evidence that came with the transfer."""
    transfer = _receiver_action(actor, transfer, "退回该移送")
    if len((reasons or "").strip()) < 10:
        raise DomainError.for_field("reasons", "退回须书面说明理由（不少于10个字）")
    checked = [check_upload(u, field="files") for u in uploads or ()]
    if transfer.designated:
        raise Conflict("该移送由综合监管部门指定管辖，不得退回")
    if transfer.handoff.state not in (Handoff.State.SENT, Handoff.State.RECEIVED):
        raise Conflict(f"该移送当前为“{transfer.get_state_display()}”，不能退回")
    clue = _locked(transfer.clue)
    files = [attachments.store(actor=actor, owner=transfer, purpose=Attachment.Purpose.RETURN,
                               department=transfer.receiver, checked=c)[0] for c in checked]
    travelled = list(transfer.transfer_letter.attachments.all()) if transfer.transfer_letter else []
    transfer.return_letter = _issue(
        actor, issuer=transfer.receiver, kind=Letter.Kind.RETURN, addressee=transfer.sender,
        materials=transfer.materials, subject=transfer, attachments=travelled + files,
        title=f"关于退回{clue.project_name}有关问题线索的函",
        body=[f"你单位移送的“{clue.project_name}”问题线索（编号 {clue.reference}，移送函 "
              f"{transfer.transfer_letter.doc_number if transfer.transfer_letter else ''}）已收悉。",
              "经审查，该事项不属于我单位职责范围，现将线索及材料予以退回。"], reasons=reasons.strip())
    transfer.return_reasons = reasons.strip()
    transfer.save(update_fields=["return_letter", "return_reasons"])
    handoffs.return_handoff(actor=actor, handoff=transfer.handoff, reasons=reasons)
    clue.return_count += 1
    clue.save(update_fields=["return_count"])
    record(actor=actor, obj=clue, action="clue.returned",
           after={"transfer": transfer.pk, "receiver": transfer.receiver.code, "receiver_name": transfer.receiver.name,
                  "reasons": transfer.return_reasons,
                  "letter": transfer.return_letter.doc_number, "return_count": clue.return_count})
    notify_department(department=transfer.sender, roles=STAFF, kind="transfer_returned",
                      title=f"{transfer.receiver.display_name}退回：{clue.project_name}",
                      body=transfer.return_reasons[:2000], url=clue.get_absolute_url())
    pair = {transfer.sender_id, transfer.receiver_id}
    bounces = sum(1 for t in clue.transfers.select_related("handoff")
                  if {t.sender_id, t.receiver_id} == pair and t.handoff.state == Handoff.State.RETURNED)
    open_dispute = clue.disputes.filter(decided_at__isnull=True).exists()
    if bounces >= 2 and not open_dispute:
        _raise_dispute(actor, clue, transfer)
    else:
        _settle(actor, clue)
    return transfer


def _raise_dispute(actor, clue: Clue, transfer: Transfer) -> None:
    from casework.org.selectors import supervision_office_for

    office = supervision_office_for(transfer.sender.jurisdiction)
    if office is None:
        raise DomainError("未配置综合监管办公室，无法提请管辖争议")
    dispute = JurisdictionDispute.objects.create(clue=clue, first=transfer.sender, second=transfer.receiver,
                                                 office=office, raised_at=timezone.now())
    clue.status = Clue.Status.DISPUTED
    clue.save(update_fields=["status"])
    _grant(clue, office)
    # The office's own clock: the profile's limit for designating jurisdiction, on its workbench.
    start_clock(actor=actor, subject=dispute, rule_key="referral.dispute_decide", department=office,
                started_at=dispute.raised_at, label=f"指定管辖：{clue.project_name}")
    record(actor=actor, obj=clue, action="clue.disputed",
           after={"dispute": dispute.pk, "between": [transfer.sender.code, transfer.receiver.code],
                  "office": office.code, "return_count": clue.return_count})
    notify_department(department=office, roles=(Membership.Role.SUPERVISOR, Membership.Role.LEADER),
                      kind="jurisdiction_dispute",
                      title=f"管辖争议：{clue.project_name}在{transfer.sender.display_name}与{transfer.receiver.display_name}之间多次退回",
                      body="请综合监管部门指定管辖。", url=clue.get_absolute_url())
    _changed(clue, "clue.disputed")


@transaction.atomic
def forward_transfer(*, actor, transfer: Transfer, to_department: Department, reasons: str) -> Transfer:
    """In scope but for another level (Zengdu 第十四条(二)): forward it there and tell the sender."""
    transfer = _receiver_action(actor, transfer, "转送该移送")
    errors = {}
    if to_department in (transfer.receiver, transfer.sender):
        errors["to_department"] = ["请选择其他层级的同系统单位"]
    elif to_department.jurisdiction_id == transfer.receiver.jurisdiction_id:
        errors["to_department"] = ["转送适用于其他层级的同系统单位；不属于本部门职责的请书面说明理由退回"]
    elif to_department.type != transfer.receiver.type:
        errors["to_department"] = [f"转送对象须为同系统单位（{transfer.receiver.get_type_display()}）"]
    if len((reasons or "").strip()) < 5:
        errors["reasons"] = ["请说明转送理由（不少于5个字）"]
    if errors:
        raise DomainError("转送信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    if transfer.handoff.state not in (Handoff.State.SENT, Handoff.State.RECEIVED):
        raise Conflict(f"该移送当前为“{transfer.get_state_display()}”，不能转送")
    if not transfer.receipt_signed_at:
        _sign(actor, transfer)
    handoffs.forward_handoff(actor=actor, handoff=transfer.handoff, note=reasons)
    child = transfer_clue(actor=actor, clue=transfer.clue, receivers=[to_department], matter=transfer.matter,
                          legal_basis=transfer.legal_basis, materials=transfer.materials,
                          sender=transfer.receiver, parent=transfer)[0]
    transfer.forward_letter = _issue(
        actor, issuer=transfer.receiver, kind=Letter.Kind.FORWARD_NOTICE, addressee=transfer.sender,
        materials=[], subject=transfer, title=f"关于转送{transfer.clue.project_name}有关问题线索的告知函",
        body=[f"你单位移送的“{transfer.clue.project_name}”问题线索（编号 {transfer.clue.reference}）已收悉。",
              f"该事项属于本系统职责，但应由{to_department.name}管辖，我单位已于"
              f"{timezone.localtime(child.delivered_at):%Y年%m月%d日}转送{to_department.name}办理（移送函 "
              f"{child.transfer_letter.doc_number}）。", f"转送理由：{reasons.strip()}", "特此告知。"])
    transfer.save(update_fields=["forward_letter"])
    record(actor=actor, obj=transfer.clue, action="clue.forwarded",
           after={"transfer": transfer.pk, "to": to_department.code, "receiver_name": to_department.name,
                  "child": child.pk, "reasons": reasons.strip()})
    notify_department(department=transfer.sender, roles=STAFF, kind="transfer_forwarded",
                      title=f"{transfer.receiver.display_name}已转送{to_department.display_name}：{transfer.clue.project_name}",
                      body=reasons.strip()[:2000], url=transfer.clue.get_absolute_url())
    return child


@transaction.atomic
def decide_dispute(*, actor, dispute: JurisdictionDispute, department: Department, reason: str) -> Transfer:
    """The supervision office designates the competent department; that transfer cannot be returned."""
    dispute = JurisdictionDispute.objects.select_for_update().select_related("clue", "office").get(pk=dispute.pk)
    if not Membership.objects.filter(user=actor, department=dispute.office, role=Membership.Role.SUPERVISOR).exists():
        raise Forbidden("只有综合监管部门的监管人员可以指定管辖")
    if dispute.decided_at:
        raise Conflict("该管辖争议已作出决定")
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请说明指定管辖的理由（不少于5个字）")
    last = dispute.clue.transfers.order_by("-delivered_at", "-id").first()
    dispute.decided_at, dispute.decided_by, dispute.designated, dispute.reason = (
        timezone.now(), actor, department, reason.strip())
    dispute.save(update_fields=["decided_at", "decided_by", "designated", "reason"])
    for clock in open_clocks_for(dispute):
        complete_clock(actor=actor, clock=clock, at=dispute.decided_at)
    record(actor=actor, obj=dispute.clue, action="clue.dispute_decided",
           after={"dispute": dispute.pk, "designated": department.code, "reason": dispute.reason})
    return transfer_clue(actor=actor, clue=dispute.clue, receivers=[department],
                         matter=last.matter if last else Matter.OTHER,
                         legal_basis=f"综合监管部门指定管辖：{dispute.reason}",
                         materials=last.materials if last else ["线索材料"], sender=dispute.office,
                         designated=True)[0]


def _settle(actor, clue: Clue) -> None:
    """After a transfer ends: closed when every open transfer has reported; back to the sender's
    desk (with a fresh decision clock) when all came back."""
    clue = _locked(clue)
    transfers = list(clue.transfers.select_related("handoff", "sender"))
    if any(t.handoff.state in Handoff.OPEN_STATES for t in transfers):
        return
    before = {"status": clue.status}
    completed = [t for t in transfers if t.handoff.state == Handoff.State.COMPLETED]
    if completed:
        clue.status, clue.closed_at = Clue.Status.CLOSED, timezone.now()
        clue.result = "\n".join(f"{t.receiver.name}：{t.result}" for t in completed)
        clue.save(update_fields=["status", "closed_at", "result"])
        record(actor=actor, obj=clue, action="clue.closed", before=before, after={"status": clue.status})
        _changed(clue, "clue.closed")
        return
    last = max(transfers, key=lambda t: (t.delivered_at, t.pk))
    desk = last.sender if last.sender in holder_departments(clue) else clue.supervising_department
    clue.status = Clue.Status.REGISTERED
    clue.save(update_fields=["status"])
    start_clock(actor=actor, subject=clue, rule_key="referral.transfer", department=desk,
                counterpart=clue.source_department, started_at=timezone.now(),
                label="线索被退回：重新研判，自行办理或移送有管辖权的机关")
    record(actor=actor, obj=clue, action="clue.status", before=before, after={"status": clue.status})
    _changed(clue, "clue.returned")
