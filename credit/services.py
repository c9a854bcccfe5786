"""Every state change of credit sanctions, and the logged eligibility check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.clocks import timing
from casework.clocks.models import Clock
from casework.clocks.services import cancel_clock, complete_clock, open_clocks_for, start_clock
from casework.clocks.timing import SHANGHAI
from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.events.services import record as audit
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member, user_departments
from casework.webhooks import services as webhooks
from credit import codes as codecheck
from credit import selectors
from credit.models import (
    Correction,
    CreditPush,
    CreditRecord,
    CreditSubject,
    Domain,
    EligibilityQuery,
    ExpertBanNotice,
    ExpertPoolMembership,
    Measure,
    PenaltyCategory,
    RedListEntry,
)

MAX_BULK = 1000


def check_eligibility(*, actor, codes: list[str], domain: str, on: dt.date | None = None,
                      project_code: str = "", bulk: bool = False) -> dict[str, selectors.Answer]:
    """Answer and log one or many eligibility questions (a tender's bidders: up to 1,000 at once).

    Every code is checked first (GB 32100, GB 11643, the expert-number format). A single malformed code is
    refused (400 naming the field and the expected check character); in a bulk request each malformed code
    is answered invalid on its own row while the others are answered. `on` left empty means today, and the
    answer and the log carry the date actually used."""
    errors = {}
    if domain not in Domain.values:
        errors["domain"] = [f"领域须为 {', '.join(Domain.values)} 之一"]
    codes = [c for c in (codes or []) if c and c.strip()]
    if not codes:
        errors["code"] = ["请提供统一社会信用代码、居民身份证号码或专家编号"]
    elif len(codes) > MAX_BULK:
        errors["codes"] = [f"一次最多核查 {MAX_BULK} 个主体，收到 {len(codes)} 个"]
    if errors:
        raise DomainError("核查请求有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    on = on or timezone.localdate()
    answers = selectors.eligibility(codes, domain, on)
    if not bulk:
        bad = next((a for a in answers.values() if not a.valid), None)
        if bad:
            raise DomainError(f"代码 {bad.code} 无效：{bad.error}", field_errors={"code": [bad.error]},
                              code="invalid_code")
    now = timezone.now()
    # A check that stopped a listed subject is counted on the supervision dashboard per asking department; the
    # department is looked up only then (one query), so the usual all-eligible check costs nothing more.
    stopping = any(a.valid and a.eligible is False for a in answers.values())
    asker = _asking_department(actor) if stopping else None
    EligibilityQuery.objects.bulk_create([
        EligibilityQuery(subject_code=a.code[:32], domain=domain, on_date=on, project_code=project_code[:64],
                         eligible=a.eligible, asked_by=actor, asked_at=now,
                         department=asker if a.eligible is False else None)
        for a in answers.values() if a.valid])
    return answers


def _asking_department(actor) -> Department | None:
    """The department an eligibility check is made for: the asker's (an API client's, a trading centre's
    handler's); of several, the first by code."""
    departments = sorted(user_departments(actor), key=lambda d: d.code)
    return departments[0] if departments else None


# --- subjects and records ------------------------------------------------------------------------
STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER)
CODED = (CreditSubject.Type.ENTERPRISE, CreditSubject.Type.AGENCY)


def ensure_subject(*, actor, type: str, code: str, name: str) -> CreditSubject:
    """The subject for a code, created once. The code is checked for its type (USCC, resident ID, expert
    number); a different name typed for a known code is a conflict shown to the user, never ignored."""
    code = codecheck.normalise(code)
    name = (name or "").strip()
    errors = {}
    if type not in CreditSubject.Type.values:
        errors["type"] = ["请选择主体类型"]
    if not code:
        errors["code"] = ["请填写统一社会信用代码、专家编号或证件号码"]
    elif not code.isascii():
        errors["code"] = ["代码只能使用半角字母、数字和连字符（请关闭全角输入）"]
    elif type in CreditSubject.Type.values and (problem := codecheck.code_problem(code, type)):
        errors["code"] = [problem]
    if not (name or "").strip():
        errors["name"] = ["请填写名称"]
    if errors:
        raise DomainError("信用主体信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    subject = CreditSubject.objects.filter(code=code).first()
    if subject is None:
        try:
            with transaction.atomic():
                subject = CreditSubject.objects.create(type=type, code=code, name=name)
                audit(actor=actor, obj=subject, action="credit.subject_created",
                      after={"code": code, "type": type, "name": name})
        except IntegrityError:
            subject = CreditSubject.objects.get(code=code)
    if subject.type != type:
        raise Conflict(f"代码 {code} 已登记为{subject.get_type_display()}",
                       field_errors={"type": [f"与已登记的类型（{subject.get_type_display()}）不符"]})
    if subject.name != name:
        raise Conflict(f"代码 {code} 已登记的名称为“{subject.name}”，与填写的“{name}”不一致；请核对代码，"
                       "或按已登记的名称填写", field_errors={"name": [f"已登记为“{subject.name}”"]})
    return subject


@dataclass
class MeasureInput:
    kind: str
    domains: list[str]
    starts_on: dt.date
    ends_on: dt.date | None = None


def _issuer(actor, department: Department) -> None:
    require_member(actor, department, "以该部门名义记录和管理信用信息（谁公布谁管理）")


def _arose_at(rec: CreditRecord) -> dt.datetime:
    """The real-world event a credit clock counts from: the day the penalty or bad-conduct record arose."""
    return min(dt.datetime.combine(rec.decided_on, dt.time(9, 0), tzinfo=SHANGHAI), timezone.now())


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError.for_field("fine_amount", "罚款金额应为数字（元）") from exc
    if amount < 0 or amount >= Decimal("1e12"):
        raise DomainError.for_field("fine_amount", "罚款金额应为不小于 0 的金额（元）")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def record_sanction(*, actor, department: Department, subject: CreditSubject, kind: str, decision_number: str,
                    decided_on: dt.date, facts: str, legal_basis: str, penalty: str, valid_from: dt.date,
                    valid_until: dt.date | None = None, serious: bool = False, publishable: bool = True,
                    measures: list[MeasureInput] = (), penalty_category: str = "",
                    fine_amount=None) -> CreditRecord:
    """An administrative penalty or bad-conduct record with its measures. `decided_on` is the day it arose
    (not in the future); the clocks count from it and the entry delay is audited. An expert in both pools
    is notified to the other pool's department (2 working days); a penalty is pushed for publication
    (7 days)."""
    _issuer(actor, department)
    errors = {}
    if kind not in CreditRecord.Kind.values:
        errors["kind"] = ["请选择记录类型"]
    for field_name, value, label in (("decision_number", decision_number, "决定书文号"), ("facts", facts, "违法事实"),
                                     ("legal_basis", legal_basis, "法律依据"), ("penalty", penalty, "处罚/处理内容")):
        if not (value or "").strip():
            errors[field_name] = [f"请填写{label}"]
    today = timezone.localdate()
    if not decided_on:
        errors["decided_on"] = ["请填写决定日期（处罚或不良行为记录作出之日）"]
    elif decided_on > today:
        errors["decided_on"] = ["决定日期不能晚于今天"]
    if not valid_from:
        errors["valid_from"] = ["请填写有效期起"]
    elif valid_until and valid_until < valid_from:
        errors["valid_until"] = ["有效期至不能早于有效期起"]
    if penalty_category and penalty_category not in PenaltyCategory.values:
        errors["penalty_category"] = ["请选择处罚类别"]
    try:
        fine_amount = _money(fine_amount)
    except DomainError as exc:
        errors.update(exc.field_errors)
    for i, m in enumerate(measures):
        if m.kind not in Measure.Kind.values:
            errors[f"measures.{i}.kind"] = ["请选择措施类型"]
        if m.kind == Measure.Kind.RESTRICTION and (not m.domains or set(m.domains) - set(Domain.values)):
            errors[f"measures.{i}.domains"] = ["请选择限制的领域"]
        if not m.starts_on:
            errors[f"measures.{i}.starts_on"] = ["请填写措施起始日"]
        elif m.ends_on and m.ends_on < m.starts_on:
            errors[f"measures.{i}.ends_on"] = ["截止日不能早于起始日"]
    if errors:
        raise DomainError("信用记录有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    if CreditRecord.objects.filter(department=department, decision_number=decision_number.strip(),
                                   subject=subject).exists():
        raise Conflict(f"{department.name}已记录决定书 {decision_number}，请勿重复录入",
                       field_errors={"decision_number": ["重复"]})
    rec = CreditRecord.objects.create(
        subject=subject, kind=kind, department=department, decision_number=decision_number.strip(),
        decided_on=decided_on, facts=facts.strip(), legal_basis=legal_basis.strip(), penalty=penalty.strip(),
        serious=serious, valid_from=valid_from, valid_until=valid_until, publishable=publishable, created_by=actor,
        penalty_category=penalty_category, fine_amount=fine_amount)
    rows = []
    for m in measures:
        domains = Domain.values if m.kind == Measure.Kind.MARKET_BAN else m.domains
        rows += [Measure(record=rec, subject=subject, kind=m.kind, domain=d, starts_on=m.starts_on, ends_on=m.ends_on)
                 for d in dict.fromkeys(domains)]
    Measure.objects.bulk_create(rows)
    audit(actor=actor, obj=rec, action="credit.recorded",
          after={"subject": subject.code, "kind": kind, "decision_number": rec.decision_number,
                 "decided_on": decided_on, "entered_on": today, "entry_delay_days": (today - decided_on).days,
                 "measures": [[r.kind, r.domain, r.starts_on, r.ends_on] for r in rows], "serious": serious,
                 "penalty_category": penalty_category, "fine_amount": fine_amount})
    if subject.type == CreditSubject.Type.EXPERT and rows:
        _notify_other_pools(actor, rec)
    if kind == CreditRecord.Kind.PENALTY and publishable:
        start_clock(actor=actor, subject=rec, rule_key="credit.penalty_publish", department=rec.department,
                    started_at=_arose_at(rec), label="推送信用平台公示")
        _queue_push(actor, rec, CreditPush.Action.PUBLISH)
    return rec


def entry_delay_days(rec: CreditRecord) -> int:
    """Calendar days between the day the record arose and the day it was entered."""
    return (timezone.localdate(rec.created_at) - rec.decided_on).days


def _notify_other_pools(actor, rec: CreditRecord) -> None:
    """Luoyang 六(二): the departments of both pools share the ban within 2 working days of the day the
    penalty or bad-conduct record arose. A record entered after that period had already run out is recorded
    as entered late (the delay is the issuer's), not as a breach by the notified department."""
    pools = list(ExpertPoolMembership.objects.filter(subject=rec.subject).select_related("managing_department"))
    if len(pools) < 2:
        return
    started = _arose_at(rec)
    for membership in pools:
        other = membership.managing_department
        if other == rec.department:
            continue
        notice = ExpertBanNotice.objects.create(record=rec, to_department=other, pool=membership.pool)
        clock = start_clock(actor=actor, subject=notice, rule_key="credit.expert_ban_notify", department=other,
                            counterpart=rec.department, started_at=started, label="确认两库专家禁入通报并同步处理")
        late = clock is not None and clock.due_at <= timezone.now()
        if late:
            reason = (f"记录录入时通报时限已届满（应于 {timing.local_date(clock.due_at):%Y-%m-%d} 前通报，"
                      f"录入迟延 {entry_delay_days(rec)} 天），按录入迟延记录，不计接收单位超期")
            cancel_clock(actor=actor, clock=clock, reason=reason)
            notice.entered_late = True
            notice.save(update_fields=["entered_late"])
            audit(actor=actor, obj=rec, action="credit.expert_ban_entered_late", reason=reason,
                  after={"to": other.code, "notice": notice.pk, "decided_on": rec.decided_on,
                         "entry_delay_days": entry_delay_days(rec)})
        audit(actor=actor, obj=rec, action="credit.expert_ban_shared",
              after={"to": other.code, "pool": membership.pool, "notice": notice.pk})
        notify_department(department=other, roles=STAFF, kind="expert_ban",
                          title=f"专家禁入通报：{rec.subject.name}（{membership.get_pool_display()}）",
                          body=f"{rec.department.name}决定书 {rec.decision_number}。请确认并记录本库采取的措施。",
                          url=f"/credit/notices/{notice.pk}/")


@transaction.atomic
def acknowledge_ban(*, actor, notice: ExpertBanNotice, measure_taken: str) -> ExpertBanNotice:
    """The notified department records the measure it took in its own pool (共享处罚结果，实施联合惩戒)."""
    notice = ExpertBanNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.to_department not in user_departments(actor):
        raise Forbidden(f"只有{notice.to_department.name}可以确认该通报")
    if notice.acknowledged_at:
        raise Conflict("该通报已确认")
    if notice.closed_reason:
        raise Conflict(f"该通报已终止：{notice.closed_reason}")
    if len((measure_taken or "").strip()) < 4:
        raise DomainError.for_field("measure_taken", "请写明本库采取的措施（如：暂停评标资格至某日、清退出库）")
    notice.acknowledged_at, notice.acknowledged_by = timezone.now(), actor
    notice.measure_taken = measure_taken.strip()
    notice.save(update_fields=["acknowledged_at", "acknowledged_by", "measure_taken"])
    for clock in open_clocks_for(notice):
        complete_clock(actor=actor, clock=clock, at=notice.acknowledged_at, note=notice.measure_taken)
    audit(actor=actor, obj=notice.record, action="credit.expert_ban_acknowledged",
          after={"by": notice.to_department.code, "notice": notice.pk, "measure_taken": notice.measure_taken})
    return notice


def penalty_payload(rec: CreditRecord) -> dict:
    """The standard exchange fields of an administrative-penalty record (行政处罚信息)."""
    return {
        "行政相对人名称": rec.subject.name, "统一社会信用代码": rec.subject.code,
        "行政处罚决定书文号": rec.decision_number, "违法事实": rec.facts, "处罚依据": rec.legal_basis,
        "处罚类别": rec.get_penalty_category_display() if rec.penalty_category else "",
        "处罚内容": rec.penalty, "罚款金额（元）": str(rec.fine_amount) if rec.fine_amount is not None else "",
        "处罚决定日期": rec.decided_on.isoformat(), "处罚机关": rec.department.name,
        "公示截止期": rec.valid_until.isoformat() if rec.valid_until else "", "数据来源单位": rec.department.name,
        "状态": rec.get_status_display(),
    }


PUSH_EVENTS = {CreditPush.Action.PUBLISH: "credit.penalty", CreditPush.Action.CORRECTION: "credit.penalty_corrected",
               CreditPush.Action.REPAIR: "credit.penalty_repaired",
               CreditPush.Action.WITHDRAWAL: "credit.penalty_withdrawn"}


def _queue_push(actor, rec: CreditRecord, action: str, reason: str = "") -> CreditPush:
    """Push the record (or its correction, repair, withdrawal) to the credit platform: through the signed,
    retried webhook outbox when CREDIT_PLATFORM_URL is set, otherwise in the next batch of the standard
    export file. Written in the business transaction; delivered after commit."""
    url = getattr(settings, "CREDIT_PLATFORM_URL", "")
    payload = {"报送事项": CreditPush.Action(action).label, "record": penalty_payload(rec)}
    if reason:
        payload["说明"] = reason
    push = CreditPush.objects.create(record=rec, action=action, payload=payload,
                                     channel=CreditPush.Channel.HTTP if url else CreditPush.Channel.FILE)
    if url:
        push.delivery = webhooks.enqueue(subject=push, url=url, secret=settings.CREDIT_PLATFORM_SECRET,
                                         event=PUSH_EVENTS[action], payload=payload)
        push.save(update_fields=["delivery"])
    audit(actor=actor, obj=rec, action="credit.push_queued",
          after={"push": push.pk, "action": action, "channel": push.channel})
    return push


def _record_was_pushed(rec: CreditRecord) -> bool:
    return rec.pushes.filter(action=CreditPush.Action.PUBLISH).exists()


def _publish_clocks(rec: CreditRecord):
    return open_clocks_for(rec).filter(rule_version__rule__key="credit.penalty_publish")


def settle_pushes() -> int:
    """Meet the publication clock of every penalty whose push was delivered (run by beat)."""
    ct = ContentType.objects.get_for_model(CreditRecord)
    waiting = Clock.objects.filter(subject_type=ct, closed_at__isnull=True,
                                   rule_version__rule__key="credit.penalty_publish")
    record_ids = [int(i) for i in waiting.values_list("subject_id", flat=True)]
    delivered = dict(CreditPush.objects.filter(record_id__in=record_ids, action=CreditPush.Action.PUBLISH,
                                               delivery__delivered_at__isnull=False)
                     .values_list("record_id", "delivery__delivered_at"))
    done = 0
    for clock in waiting.filter(subject_id__in=[str(i) for i in delivered]):
        complete_clock(actor=None, clock=clock, at=delivered[int(clock.subject_id)], note="信用平台已接收")
        done += 1
    return done


@transaction.atomic
def confirm_push(*, actor, rec: CreditRecord, note: str) -> CreditRecord:
    """Staff confirm a record's pushes went out through the export file, with the platform's receipt."""
    _issuer(actor, rec.department)
    if len((note or "").strip()) < 4:
        raise DomainError.for_field("note", "请说明报送方式和时间（平台回执）")
    pending = list(rec.pushes.select_for_update().filter(channel=CreditPush.Channel.FILE, confirmed_at__isnull=True))
    now = timezone.now()
    for push in pending:
        push.confirmed_at, push.confirmed_by, push.receipt = now, actor, note.strip()[:500]
        push.save(update_fields=["confirmed_at", "confirmed_by", "receipt"])
    for clock in _publish_clocks(rec):
        complete_clock(actor=actor, clock=clock, at=now, note=note)
    audit(actor=actor, obj=rec, action="credit.push_confirmed", reason=note.strip(),
          after={"pushes": [p.pk for p in pending]})
    return rec


@transaction.atomic
def export_batch(*, actor, department: Department) -> str:
    """Number the department's pushes not yet exported as one batch of the standard export file."""
    _issuer(actor, department)
    pending = list(CreditPush.objects.select_for_update().filter(
        record__department=department, channel=CreditPush.Channel.FILE, batch="").order_by("id"))
    if not pending:
        raise Conflict("没有待导出的报送记录")
    today = timezone.localdate()
    prefix = f"{department.code}-{today:%Y%m%d}-"
    taken = CreditPush.objects.filter(batch__startswith=prefix).values_list("batch", flat=True).distinct().count()
    batch = f"{prefix}{taken + 1:02d}"
    now = timezone.now()
    CreditPush.objects.filter(pk__in=[p.pk for p in pending]).update(batch=batch, exported_at=now)
    audit(actor=actor, obj=department, action="credit.batch_exported",
          after={"batch": batch, "pushes": [p.pk for p in pending]})
    return batch


@transaction.atomic
def confirm_batch(*, actor, department: Department, batch: str, receipt: str) -> int:
    """The platform received a batch: record its receipt on every push of the batch and meet their clocks."""
    _issuer(actor, department)
    if len((receipt or "").strip()) < 4:
        raise DomainError.for_field("receipt", "请填写信用平台的接收回执（编号或说明）")
    pushes = list(CreditPush.objects.select_for_update().filter(record__department=department, batch=batch)
                  .select_related("record"))
    if not pushes:
        raise NotFound("未找到该报送批次。")
    now = timezone.now()
    done = [p for p in pushes if p.confirmed_at is None]
    for push in done:
        push.confirmed_at, push.confirmed_by, push.receipt = now, actor, receipt.strip()[:500]
        push.save(update_fields=["confirmed_at", "confirmed_by", "receipt"])
        if push.action == CreditPush.Action.PUBLISH:
            for clock in _publish_clocks(push.record):
                complete_clock(actor=actor, clock=clock, at=now, note=f"批次 {batch}：{receipt.strip()}")
    audit(actor=actor, obj=department, action="credit.batch_confirmed", reason=receipt.strip(),
          after={"batch": batch, "pushes": [p.pk for p in done]})
    return len(done)


@transaction.atomic
def retry_push(*, actor, push: CreditPush) -> CreditPush:
    """Send an HTTP push again now (after the platform was down longer than the automatic retries)."""
    push = CreditPush.objects.select_related("record__department", "delivery").get(pk=push.pk)
    _issuer(actor, push.record.department)
    if push.channel != CreditPush.Channel.HTTP or push.delivery is None:
        raise Conflict("该报送通过标准文件报送，请导出批次后确认")
    if push.delivery.delivered_at:
        raise Conflict("该报送已送达")
    push.delivery.next_attempt_at = timezone.now()
    push.delivery.save(update_fields=["next_attempt_at"])
    delivery_id = push.delivery.pk

    def dispatch():
        from casework.tasks import deliver_webhook

        deliver_webhook.delay(delivery_id)

    transaction.on_commit(dispatch)
    audit(actor=actor, obj=push.record, action="credit.push_retried", after={"push": push.pk})
    return push


def _close_dependent_clocks(actor, rec: CreditRecord, reason: str) -> None:
    """A withdrawn or repaired record ends every clock that depended on it: the publication clock and the
    expert-ban notice clocks are cancelled with the reason (their step no longer applies)."""
    for clock in open_clocks_for(rec):
        cancel_clock(actor=actor, clock=clock, reason=reason)
    for notice in rec.ban_notices.select_for_update().filter(acknowledged_at__isnull=True, closed_reason=""):
        for clock in open_clocks_for(notice):
            cancel_clock(actor=actor, clock=clock, reason=reason)
        notice.closed_reason = reason
        notice.save(update_fields=["closed_reason"])
        notify_department(department=notice.to_department, roles=STAFF, kind="expert_ban",
                          title=f"专家禁入通报已终止：{rec.subject.name}", body=reason,
                          url=f"/credit/notices/{notice.pk}/")


def _change_status(actor, rec: CreditRecord, status: str, reason: str, action: str) -> CreditRecord:
    rec = CreditRecord.objects.select_for_update().get(pk=rec.pk)
    _issuer(actor, rec.department)
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请写明决定及理由（不少于5个字）")
    if rec.status != CreditRecord.Status.ACTIVE:
        raise Conflict(f"该记录已{rec.get_status_display()}")
    reason = reason.strip()
    before = {"status": rec.status}
    rec.status, rec.status_reason, rec.status_changed_at = status, reason, timezone.now()
    rec.save(update_fields=["status", "status_reason", "status_changed_at"])
    rec.measures.update(active=False)
    audit(actor=actor, obj=rec, action=action, before=before, after={"status": status}, reason=reason)
    _close_dependent_clocks(actor, rec, f"记录已{rec.get_status_display()}：{reason}")
    if _record_was_pushed(rec):
        _queue_push(actor, rec, CreditPush.Action.REPAIR if status == CreditRecord.Status.REPAIRED
                    else CreditPush.Action.WITHDRAWAL, reason)
    return rec


@transaction.atomic
def repair_record(*, actor, rec: CreditRecord, decision: str) -> CreditRecord:
    """Credit repair (信用修复): the record's effect ends early; the decision is kept."""
    return _change_status(actor, rec, CreditRecord.Status.REPAIRED, decision, "credit.repaired")


@transaction.atomic
def withdraw_record(*, actor, rec: CreditRecord, reason: str) -> CreditRecord:
    return _change_status(actor, rec, CreditRecord.Status.WITHDRAWN, reason, "credit.withdrawn")


CORRECTABLE = {"facts": "违法事实", "legal_basis": "法律依据", "penalty": "处罚/处理内容", "valid_until": "有效期至",
               "publishable": "依法公开", "serious": "严重失信", "penalty_category": "处罚类别",
               "fine_amount": "罚款金额（元）", "measures_ends_on": "措施截止日"}


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def correct_record(*, actor, rec: CreditRecord, reason: str, **changes) -> CreditRecord:
    """更正: only the issuing department corrects its record. Before, after and the reason are kept (a
    Correction row and the audit event); a published record's correction is pushed like the original.
    `measures_ends_on` sets the end of every measure of the record (None: long-term)."""
    rec = CreditRecord.objects.select_for_update().get(pk=rec.pk)
    _issuer(actor, rec.department)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise DomainError(f"不能更正字段：{', '.join(sorted(unknown))}")
    if rec.status != CreditRecord.Status.ACTIVE:
        raise Conflict(f"该记录已{rec.get_status_display()}，不能更正")
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请写明更正理由（不少于5个字）")
    errors = {}
    for k in ("facts", "legal_basis", "penalty"):
        if k in changes and not (changes[k] or "").strip():
            errors[k] = [f"{CORRECTABLE[k]}不能为空"]
    if "fine_amount" in changes:
        try:
            changes["fine_amount"] = _money(changes["fine_amount"])
        except DomainError as exc:
            errors.update(exc.field_errors)
    if changes.get("penalty_category") and changes["penalty_category"] not in PenaltyCategory.values:
        errors["penalty_category"] = ["请选择处罚类别"]
    if changes.get("valid_until") and changes["valid_until"] < rec.valid_from:
        errors["valid_until"] = ["有效期至不能早于有效期起"]
    measures = list(rec.measures.all())
    new_end = changes.get("measures_ends_on")
    if new_end and any(new_end < m.starts_on for m in measures):
        errors["measures_ends_on"] = ["措施截止日不能早于措施起始日"]
    if "measures_ends_on" in changes and not measures:
        errors["measures_ends_on"] = ["该记录没有惩戒措施"]
    if errors:
        raise DomainError("更正内容有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    before, after = {}, {}
    for k, v in changes.items():
        old = measures[0].ends_on if k == "measures_ends_on" else getattr(rec, k)
        if isinstance(v, str):
            v = v.strip()
        if old != v:
            before[k], after[k] = _plain(old), _plain(v)
    if not after:
        raise DomainError("更正内容与原记录相同，无需更正")
    fields = [k for k in after if k != "measures_ends_on"]
    for k in fields:
        setattr(rec, k, changes[k] if not isinstance(changes[k], str) else changes[k].strip())
    if fields:
        rec.save(update_fields=fields)
    if "measures_ends_on" in after:
        rec.measures.update(ends_on=new_end)
    Correction.objects.create(record=rec, before=before, after=after, reason=reason.strip(), corrected_by=actor)
    audit(actor=actor, obj=rec, action="credit.corrected", before=before, after=after, reason=reason.strip())
    if _record_was_pushed(rec) or (rec.kind == CreditRecord.Kind.PENALTY and after.get("publishable") is True):
        _queue_push(actor, rec, CreditPush.Action.CORRECTION if _record_was_pushed(rec)
                    else CreditPush.Action.PUBLISH, reason.strip())
    return rec


@transaction.atomic
def add_to_red_list(*, actor, department: Department, subject: CreditSubject, reason: str,
                    valid_from: dt.date, valid_until: dt.date | None = None, basis: str = "") -> RedListEntry:
    """守信激励 (Pingdingshan 23): the issuing department enters a subject on the red list with its basis and
    period. A subject under a measure in force that day cannot be red-listed."""
    _issuer(actor, department)
    errors = {}
    if len((reason or "").strip()) < 5:
        errors["reason"] = ["请写明列入守信红名单的理由（不少于5个字）"]
    if len((basis or "").strip()) < 4:
        errors["basis"] = ["请写明列入依据（文件或评价结果）"]
    if not valid_from:
        errors["valid_from"] = ["请填写有效期起"]
    elif valid_until and valid_until < valid_from:
        errors["valid_until"] = ["有效期至不能早于有效期起"]
    if errors:
        raise DomainError("红名单信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    same = RedListEntry.objects.filter(subject=subject, department=department, valid_from=valid_from,
                                       valid_until=valid_until, reason=reason.strip()).first()
    if same:
        return same  # the same entry submitted twice (double click, retry)
    if selectors.measures_in_force(valid_from).filter(subject=subject).exists():
        raise Conflict(f"{subject.name}在 {valid_from:%Y-%m-%d} 有正在执行的惩戒措施，不能列入守信红名单",
                       field_errors={"subject_code": ["存在正在执行的惩戒措施"]})
    entry = RedListEntry.objects.create(subject=subject, department=department, reason=reason.strip(),
                                        basis=basis.strip(), valid_from=valid_from, valid_until=valid_until,
                                        created_by=actor)
    audit(actor=actor, obj=subject, action="credit.red_listed",
          after={"department": department.code, "entry": entry.pk, "basis": entry.basis,
                 "valid_from": valid_from, "valid_until": valid_until})
    return entry
