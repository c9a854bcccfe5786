"""Every state change of credit sanctions, and the logged eligibility check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.clocks.models import Clock
from casework.clocks.services import complete_clock, open_clocks_for, start_clock
from casework.clocks.timing import SHANGHAI
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import record as audit
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member, user_departments
from casework.validators import uscc_problem
from casework.webhooks import services as webhooks
from credit import selectors
from credit.models import (
    CreditRecord,
    CreditSubject,
    Domain,
    EligibilityQuery,
    ExpertBanNotice,
    ExpertPoolMembership,
    Measure,
    RedListEntry,
)

MAX_BULK = 1000


def check_eligibility(*, actor, codes: list[str], domain: str, on: dt.date | None = None,
                      project_code: str = "") -> dict[str, selectors.Answer]:
    """Answer and log one or many eligibility questions (a tender's bidders: up to 1,000 at once)."""
    errors = {}
    if domain not in Domain.values:
        errors["domain"] = [f"领域须为 {', '.join(Domain.values)} 之一"]
    codes = [c for c in (codes or []) if c and c.strip()]
    if not codes:
        errors["code"] = ["请提供统一社会信用代码或专家编号"]
    elif len(codes) > MAX_BULK:
        errors["codes"] = [f"一次最多核查 {MAX_BULK} 个主体，收到 {len(codes)} 个"]
    if errors:
        raise DomainError("核查请求有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    on = on or timezone.localdate()
    answers = selectors.eligibility(codes, domain, on)
    now = timezone.now()
    EligibilityQuery.objects.bulk_create([
        EligibilityQuery(subject_code=a.code, domain=domain, on_date=on, project_code=project_code[:64],
                         eligible=a.eligible, asked_by=actor, asked_at=now) for a in answers.values()])
    return answers


# --- subjects and records ------------------------------------------------------------------------
STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER)
CODED = (CreditSubject.Type.ENTERPRISE, CreditSubject.Type.AGENCY)


def ensure_subject(*, actor, type: str, code: str, name: str) -> CreditSubject:
    """The subject for a code, created once: enterprises and agencies by their validated USCC."""
    code = (code or "").strip().upper()
    errors = {}
    if type not in CreditSubject.Type.values:
        errors["type"] = ["请选择主体类型"]
    if not code:
        errors["code"] = ["请填写统一社会信用代码、专家编号或证件号码"]
    elif not code.isascii():
        errors["code"] = ["代码只能使用半角字母、数字和连字符（请关闭全角输入）"]
    elif type in CODED and uscc_problem(code):
        errors["code"] = [uscc_problem(code)]
    if not (name or "").strip():
        errors["name"] = ["请填写名称"]
    if errors:
        raise DomainError("信用主体信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    subject = CreditSubject.objects.filter(code=code).first()
    if subject is None:
        try:
            with transaction.atomic():
                subject = CreditSubject.objects.create(type=type, code=code, name=name.strip())
                audit(actor=actor, obj=subject, action="credit.subject_created", after={"code": code, "type": type})
        except IntegrityError:
            subject = CreditSubject.objects.get(code=code)
    if subject.type != type:
        raise Conflict(f"代码 {code} 已登记为{subject.get_type_display()}",
                       field_errors={"type": ["与已登记的类型不符"]})
    return subject


@dataclass
class MeasureInput:
    kind: str
    domains: list[str]
    starts_on: dt.date
    ends_on: dt.date | None = None


def _issuer(actor, department: Department) -> None:
    require_member(actor, department, "以该部门名义记录和管理信用信息（谁公布谁管理）")


@transaction.atomic
def record_sanction(*, actor, department: Department, subject: CreditSubject, kind: str, decision_number: str,
                    decided_on: dt.date, facts: str, legal_basis: str, penalty: str, valid_from: dt.date,
                    valid_until: dt.date | None = None, serious: bool = False, publishable: bool = True,
                    measures: list[MeasureInput] = ()) -> CreditRecord:
    """An administrative penalty or bad-conduct record with its measures. An expert in both pools is
    notified to the other pool's department (2 working days); a penalty is pushed for publication (7 days)."""
    _issuer(actor, department)
    errors = {}
    if kind not in CreditRecord.Kind.values:
        errors["kind"] = ["请选择记录类型"]
    for field_name, value, label in (("decision_number", decision_number, "决定书文号"), ("facts", facts, "违法事实"),
                                     ("legal_basis", legal_basis, "法律依据"), ("penalty", penalty, "处罚/处理内容")):
        if not (value or "").strip():
            errors[field_name] = [f"请填写{label}"]
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = ["决定日期不能晚于今天"]
    if valid_until and valid_until < valid_from:
        errors["valid_until"] = ["有效期至不能早于有效期起"]
    for i, m in enumerate(measures):
        if m.kind not in Measure.Kind.values:
            errors[f"measures.{i}.kind"] = ["请选择措施类型"]
        if m.kind == Measure.Kind.RESTRICTION and (not m.domains or set(m.domains) - set(Domain.values)):
            errors[f"measures.{i}.domains"] = ["请选择限制的领域"]
        if m.ends_on and m.ends_on < m.starts_on:
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
        serious=serious, valid_from=valid_from, valid_until=valid_until, publishable=publishable, created_by=actor)
    rows = []
    for m in measures:
        domains = Domain.values if m.kind == Measure.Kind.MARKET_BAN else m.domains
        rows += [Measure(record=rec, subject=subject, kind=m.kind, domain=d, starts_on=m.starts_on, ends_on=m.ends_on)
                 for d in dict.fromkeys(domains)]
    Measure.objects.bulk_create(rows)
    audit(actor=actor, obj=rec, action="credit.recorded",
          after={"subject": subject.code, "kind": kind, "decision_number": rec.decision_number,
                 "measures": [[r.kind, r.domain, r.starts_on, r.ends_on] for r in rows], "serious": serious})
    if subject.type == CreditSubject.Type.EXPERT and rows:
        _notify_other_pools(actor, rec)
    if kind == CreditRecord.Kind.PENALTY and publishable:
        _queue_push(actor, rec)
    return rec


def _notify_other_pools(actor, rec: CreditRecord) -> None:
    pools = list(ExpertPoolMembership.objects.filter(subject=rec.subject).select_related("managing_department"))
    if len(pools) < 2:
        return
    started = timezone.now()
    for membership in pools:
        other = membership.managing_department
        if other == rec.department:
            continue
        notice = ExpertBanNotice.objects.create(record=rec, to_department=other, pool=membership.pool)
        start_clock(actor=actor, subject=notice, rule_key="credit.expert_ban_notify", department=other,
                    counterpart=rec.department, started_at=started, label="确认收到两库专家禁入通报")
        audit(actor=actor, obj=rec, action="credit.expert_ban_shared",
              after={"to": other.code, "pool": membership.pool, "notice": notice.pk})
        notify_department(department=other, roles=STAFF, kind="expert_ban",
                          title=f"专家禁入通报：{rec.subject.name}（{membership.get_pool_display()}）",
                          body=f"{rec.department.name}决定书 {rec.decision_number}。请在 2 个工作日内确认并同步处理。",
                          url=f"/credit/notices/{notice.pk}/")


@transaction.atomic
def acknowledge_ban(*, actor, notice: ExpertBanNotice) -> ExpertBanNotice:
    notice = ExpertBanNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.to_department not in user_departments(actor):
        raise Forbidden(f"只有{notice.to_department.name}可以确认该通报")
    if notice.acknowledged_at:
        raise Conflict("该通报已确认")
    notice.acknowledged_at, notice.acknowledged_by = timezone.now(), actor
    notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
    for clock in open_clocks_for(notice):
        complete_clock(actor=actor, clock=clock, at=notice.acknowledged_at)
    audit(actor=actor, obj=notice.record, action="credit.expert_ban_acknowledged",
          after={"by": notice.to_department.code, "notice": notice.pk})
    return notice


def penalty_payload(rec: CreditRecord) -> dict:
    """The standard exchange fields of an administrative-penalty record (行政处罚信息)."""
    return {
        "行政相对人名称": rec.subject.name, "统一社会信用代码": rec.subject.code,
        "行政处罚决定书文号": rec.decision_number, "违法事实": rec.facts, "处罚依据": rec.legal_basis,
        "处罚内容": rec.penalty, "处罚决定日期": rec.decided_on.isoformat(), "处罚机关": rec.department.name,
        "公示截止期": rec.valid_until.isoformat() if rec.valid_until else "", "数据来源单位": rec.department.name,
        "状态": rec.get_status_display(),
    }


def _queue_push(actor, rec: CreditRecord) -> None:
    """Push the penalty to the credit platform (Zengdu 第九条: 7 days). Signed, retried, never lost;
    where no platform address is configured, the export file is the channel and staff confirm it."""
    started = dt.datetime.combine(rec.decided_on, dt.time(9, 0), tzinfo=SHANGHAI)
    start_clock(actor=actor, subject=rec, rule_key="credit.penalty_publish", department=rec.department,
                started_at=min(started, timezone.now()), label="推送信用平台公示")
    url = getattr(settings, "CREDIT_PLATFORM_URL", "")
    if url:
        webhooks.enqueue(subject=rec, url=url, secret=settings.CREDIT_PLATFORM_SECRET, event="credit.penalty",
                         payload={"record": penalty_payload(rec)})


def settle_pushes() -> int:
    """Meet the publication clock of every penalty whose push was delivered (run by beat)."""
    from django.contrib.contenttypes.models import ContentType

    from casework.webhooks.models import WebhookDelivery

    ct = ContentType.objects.get_for_model(CreditRecord)
    delivered = dict(WebhookDelivery.objects.filter(subject_type=ct, event="credit.penalty", delivered_at__isnull=False)
                     .values_list("subject_id", "delivered_at"))
    done = 0
    for clock in Clock.objects.filter(subject_type=ct, subject_id__in=list(delivered), closed_at__isnull=True,
                                      rule_version__rule__key="credit.penalty_publish"):
        complete_clock(actor=None, clock=clock, at=delivered[clock.subject_id])
        done += 1
    return done


@transaction.atomic
def confirm_push(*, actor, rec: CreditRecord, note: str) -> CreditRecord:
    """Staff confirm a penalty was published through the export file (no platform connection)."""
    _issuer(actor, rec.department)
    if len((note or "").strip()) < 4:
        raise DomainError.for_field("note", "请说明报送方式和时间")
    for clock in open_clocks_for(rec).filter(rule_version__rule__key="credit.penalty_publish"):
        complete_clock(actor=actor, clock=clock, at=timezone.now(), note=note)
    audit(actor=actor, obj=rec, action="credit.push_confirmed", reason=note.strip())
    return rec


def _change_status(actor, rec: CreditRecord, status: str, reason: str, action: str) -> CreditRecord:
    rec = CreditRecord.objects.select_for_update().get(pk=rec.pk)
    _issuer(actor, rec.department)
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请写明决定及理由（不少于5个字）")
    if rec.status != CreditRecord.Status.ACTIVE:
        raise Conflict(f"该记录已{rec.get_status_display()}")
    before = {"status": rec.status}
    rec.status, rec.status_reason, rec.status_changed_at = status, reason.strip(), timezone.now()
    rec.save(update_fields=["status", "status_reason", "status_changed_at"])
    rec.measures.update(active=False)
    audit(actor=actor, obj=rec, action=action, before=before, after={"status": status}, reason=reason.strip())
    return rec


@transaction.atomic
def repair_record(*, actor, rec: CreditRecord, decision: str) -> CreditRecord:
    """Credit repair (信用修复): the record's effect ends early; the decision is kept."""
    return _change_status(actor, rec, CreditRecord.Status.REPAIRED, decision, "credit.repaired")


@transaction.atomic
def withdraw_record(*, actor, rec: CreditRecord, reason: str) -> CreditRecord:
    return _change_status(actor, rec, CreditRecord.Status.WITHDRAWN, reason, "credit.withdrawn")


@transaction.atomic
def correct_record(*, actor, rec: CreditRecord, reason: str, **changes) -> CreditRecord:
    """Only the issuing department corrects its record; every change is audited with before and after."""
    rec = CreditRecord.objects.select_for_update().get(pk=rec.pk)
    _issuer(actor, rec.department)
    allowed = {"facts", "legal_basis", "penalty", "valid_until", "publishable", "serious"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(f"不能更正字段：{', '.join(sorted(unknown))}")
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请写明更正理由")
    before = {k: getattr(rec, k) for k in changes}
    for k, v in changes.items():
        setattr(rec, k, v)
    rec.save(update_fields=list(changes))
    audit(actor=actor, obj=rec, action="credit.corrected", before=before, after=changes, reason=reason.strip())
    return rec


@transaction.atomic
def add_to_red_list(*, actor, department: Department, subject: CreditSubject, reason: str,
                    valid_from: dt.date, valid_until: dt.date | None = None) -> RedListEntry:
    _issuer(actor, department)
    if len((reason or "").strip()) < 5:
        raise DomainError.for_field("reason", "请写明列入守信红名单的理由")
    entry = RedListEntry.objects.create(subject=subject, department=department, reason=reason.strip(),
                                        valid_from=valid_from, valid_until=valid_until)
    audit(actor=actor, obj=subject, action="credit.red_listed", after={"department": department.code})
    return entry
