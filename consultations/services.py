"""Every state change of the consultation mechanism. Keyword-only, atomic, permission-checked; each writes its
audit event, starts or stops its clocks, issues its letters and tells the departments concerned.

Clocks (rules in the jurisdiction's profile):
- consultation.regular_meeting (months): one per period for the lead department, from the period's start;
  a regular meeting held completes it and opens the next period's.
- consultation.member_change_report (3 working days): a member unit reports a change of its responsible leader
  or liaison; from the change, met when reported (or running from a change the lead department noted).
- consultation.meeting_reply / consultation.decision / consultation.rule_comments: no fixed limit, they run to the
  date the convener, the meeting or the drafting unit set (`due_on`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.clocks.services import cancel_clock, complete_clock, start_clock, start_met_clock
from casework.clocks.timing import local_date, start_of_day
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import record
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member, user_departments
from casework.references import numbered, placeholder
from casework.rules.models import Unit
from casework.rules.powers import require_power
from casework.rules.services import rule_for
from consultations.models import (
    AgendaItem,
    Application,
    CommentReply,
    ContactChange,
    ContactRole,
    Decision,
    Escalation,
    Filing,
    FollowUp,
    Invitation,
    Mechanism,
    Meeting,
    Member,
    Progress,
    RegularPeriod,
    Solicitation,
    add_months,
)

STAFF = (Membership.Role.HANDLER, Membership.Role.LEADER, Membership.Role.LIAISON)
CLOCK_SKEW = dt.timedelta(minutes=5)
PHONE_RE = re.compile(r"^[0-9+\-()（） ]{5,32}$")


# --- helpers ----------------------------------------------------------------------------------------
def _raise(prefix: str, errors: dict[str, list[str]]) -> None:
    if errors:
        raise DomainError(prefix + "；".join(v[0] for v in errors.values()), field_errors=errors)


def _text(errors: dict, field: str, label: str, value, *, limit: int, min_len: int = 1,
          required: bool = True) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            errors[field] = [f"请填写{label}"]
    elif len(value) < min_len:
        errors[field] = [f"{label}不少于{min_len}个字"]
    elif len(value) > limit:
        errors[field] = [f"{label}不能超过{limit}个字"]
    return value


def _phone(errors: dict, field: str, label: str, value) -> str:
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if not value:
        errors[field] = [f"请填写{label}"]
    elif not PHONE_RE.match(value) or not 7 <= len(digits) <= 20:
        errors[field] = [f"{label}格式不正确（如 0379-63901234 或 13800000000）"]
    return value


def _date(errors: dict, field: str, label: str, value) -> dt.date | None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[field] = [f"请填写{label}（如 2026-12-01）"]
        return None
    return value


def _aware(errors: dict, field: str, label: str, value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        errors[field] = [f"请填写{label}"]
        return None
    if timezone.is_naive(value):
        errors[field] = [f"{label}须带时区（如 2026-11-20T09:30:00+08:00）"]
        return None
    return value


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _member(mechanism: Mechanism, department: Department) -> Member | None:
    return Member.objects.filter(mechanism=mechanism, department=department).first()


def _require_lead(actor, mechanism: Mechanism, what: str) -> None:
    require_member(actor, mechanism.lead, what)


def _locked_mechanism(mechanism: Mechanism) -> Mechanism:
    return Mechanism.objects.select_for_update(of=("self",)).select_related("lead", "jurisdiction").get(pk=mechanism.pk)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (Meeting.objects.select_for_update(of=("self",))
            .select_related("mechanism__lead", "mechanism__jurisdiction", "convener").get(pk=meeting.pk))


def _close_clock(actor, clock, *, at=None):
    """Complete an open clock; returns it as it now stands (met, or breached when late)."""
    if clock is not None and clock.is_open:
        return complete_clock(actor=actor, clock=clock, at=at or timezone.now())
    return clock


def _cancel_clock(actor, clock, reason: str) -> None:
    if clock is not None and clock.is_open:
        cancel_clock(actor=actor, clock=clock, reason=reason)


def _notify(department: Department, kind: str, title: str, body: str = "", url: str = "") -> None:
    notify_department(department=department, roles=STAFF, kind=kind, title=title[:200], body=body, url=url)


@dataclass
class Contact:
    name: str
    post: str
    phone: str


def _contact(errors: dict, role: str, contact: Contact | None, *, prefixed: bool = True) -> Contact:
    """A contact's fields, named `leader_name`... (an application lists both) or `name`... (one report)."""
    label = ContactRole(role).label
    field = (lambda key: f"{role}_{key}") if prefixed else (lambda key: key)
    contact = contact or Contact("", "", "")
    return Contact(_text(errors, field("name"), f"{label}姓名", contact.name, limit=32),
                   _text(errors, field("post"), f"{label}职务", contact.post, limit=64),
                   _phone(errors, field("phone"), f"{label}电话", contact.phone))


# --- the mechanism and its regular-meeting periods --------------------------------------------------
@transaction.atomic
def establish_mechanism(*, actor, lead: Department, name: str, basis: str, established_on: dt.date,
                        members: list[Department]) -> Mechanism:
    """The supervision office sets up its jurisdiction's mechanism with the founding member units."""
    require_member(actor, lead, "建立会商机制")
    if not lead.is_supervision_office:
        raise Forbidden(f"会商机制由综合监管部门牵头建立，{lead.name}不是综合监管部门")
    jurisdiction = lead.jurisdiction
    errors: dict[str, list[str]] = {}
    name = _text(errors, "name", "机制名称", name, limit=128)
    basis = _text(errors, "basis", "依据", basis, limit=255, required=False)
    if _date(errors, "established_on", "建立日期", established_on) and established_on > timezone.localdate():
        errors["established_on"] = ["建立日期不能晚于今天"]
    founding = [d for d in dict.fromkeys(members or []) if d != lead]
    outside = [d.name for d in founding if d.jurisdiction_id != jurisdiction.id or not d.active]
    if outside:
        errors["members"] = [f"成员单位须为{jurisdiction.name}的在用单位，{'、'.join(outside)}不是"]
    elif not founding:
        errors["members"] = ["请至少选择一个成员单位"]
    _raise("会商机制信息有误：", errors)
    if Mechanism.objects.filter(jurisdiction=jurisdiction).exists():
        raise Conflict(f"{jurisdiction.name}已建立会商机制，不能重复建立")
    try:
        with transaction.atomic():
            mechanism = Mechanism.objects.create(jurisdiction=jurisdiction, name=name, lead=lead, basis=basis,
                                                 established_on=established_on, created_by=actor)
    except IntegrityError as exc:  # two set-ups at once
        raise Conflict(f"{jurisdiction.name}已建立会商机制，不能重复建立") from exc
    Member.objects.bulk_create([Member(mechanism=mechanism, department=lead, is_lead=True, joined_on=established_on)]
                               + [Member(mechanism=mechanism, department=d, joined_on=established_on)
                                  for d in founding])
    record(actor=actor, obj=mechanism, action="consultation.established",
           after={"name": name, "lead": lead.code, "members": [d.code for d in founding],
                  "established_on": established_on})
    ensure_periods(actor=actor, mechanism=mechanism, upto=timezone.localdate())
    for dept in founding:
        _notify(dept, "consultation_member", f"已列为{name}成员单位",
                "请在平台报送本单位的责任领导和联络员及联系方式；人员变动的，应在调整确定后3个工作日内报送。",
                mechanism.get_absolute_url())
    return mechanism


def period_months(mechanism: Mechanism) -> int:
    version = rule_for(mechanism.lead, "consultation.regular_meeting").current_version
    if version.amount is None or version.unit != Unit.MONTHS:
        raise DomainError(f"例会周期规则（consultation.regular_meeting）须设为若干“个月”，"
                          f"当前为{version.limit_display}")
    return version.amount


def _open_period(actor, mechanism: Mechanism, starts_on: dt.date, months: int) -> RegularPeriod:
    period, created = RegularPeriod.objects.get_or_create(mechanism=mechanism, starts_on=starts_on,
                                                          defaults={"months": months})
    if created:
        period.clock = start_clock(actor=actor, subject=period, rule_key="consultation.regular_meeting",
                                   department=mechanism.lead, started_at=start_of_day(starts_on),
                                   label=f"召开{period.label}例会")
        period.save(update_fields=["clock"])
        record(actor=actor, obj=mechanism, action="consultation.period_opened",
               after={"label": f"{period.label}例会", "starts_on": starts_on,
                      "due_at": period.clock.due_at if period.clock else None})
    return period


def ensure_periods(*, actor, mechanism: Mechanism, upto: dt.date) -> RegularPeriod:
    """Open every regular-meeting period up to the one containing `upto` (idempotent); returns the latest.
    Periods are aligned on 1 January of the year the mechanism was set up (half-years, quarters, years)."""
    last = mechanism.periods.order_by("-starts_on").first()
    if last is None:
        months = period_months(mechanism)
        start = dt.date(mechanism.established_on.year, 1, 1)
        while add_months(start, months) <= mechanism.established_on:
            start = add_months(start, months)
        last = _open_period(actor, mechanism, start, months)
    while add_months(last.starts_on, last.months) <= upto:
        last = _open_period(actor, mechanism, add_months(last.starts_on, last.months), period_months(mechanism))
    return last


def roll_regular_periods(now: dt.datetime | None = None) -> int:
    """Beat: open the current period of every mechanism, so a period passes on to the next even when no meeting
    was held (the lapsed period's clock keeps escalating). Returns the number of periods opened."""
    today = local_date(now or timezone.now())
    opened = 0
    for pk in Mechanism.objects.values_list("pk", flat=True):
        with transaction.atomic():
            mechanism = Mechanism.objects.select_for_update(of=("self",)).select_related("lead").get(pk=pk)
            before = mechanism.periods.count()
            ensure_periods(actor=None, mechanism=mechanism, upto=today)
            opened += mechanism.periods.count() - before
    return opened


def _discharge_periods(actor, meeting: Meeting) -> None:
    """A regular meeting held: every period begun by then and not yet discharged is met (a lapsed one late),
    and the next period's clock starts."""
    mechanism = meeting.mechanism
    held_day = local_date(meeting.held_at)
    current = ensure_periods(actor=actor, mechanism=mechanism, upto=held_day)
    if current.starts_on > held_day:  # the next period is open already (an earlier meeting this period)
        current = mechanism.periods.filter(starts_on__lte=held_day).order_by("-starts_on").first()
    for period in mechanism.periods.filter(starts_on__lte=held_day, meeting__isnull=True).select_related("clock"):
        _close_clock(actor, period.clock, at=meeting.held_at)
        period.meeting = meeting
        period.save(update_fields=["meeting"])
    _open_period(actor, mechanism, add_months(current.starts_on, current.months), period_months(mechanism))


# --- member units ----------------------------------------------------------------------------------
@transaction.atomic
def report_contacts(*, actor, member: Member, role: str, contact: Contact,
                    changed_on: dt.date | None = None) -> ContactChange | None:
    """A member unit designates its responsible leader or liaison, or reports a change of either. A change is
    due within the rule's limit (3 working days, Hegang 一(二)) of the date it was settled: reported through the
    portal now, its clock is met or recorded late at once; a change the lead department noted completes."""
    member = (Member.objects.select_for_update(of=("self",))
              .select_related("mechanism__lead", "department").get(pk=member.pk))
    require_member(actor, member.department, "报送本单位的责任领导和联络员")
    require_power(actor, member.department, "contacts.maintain")  # the liaison's own work (rule profile)
    errors: dict[str, list[str]] = {}
    if role not in ContactRole.values:
        raise DomainError.for_field("role", "请选择责任领导或联络员")
    new = _contact(errors, role, contact, prefixed=False)
    old = member.contact(role)
    pending = ContactChange.objects.select_for_update().filter(member=member, role=role,
                                                               status=ContactChange.Status.PENDING).first()
    initial = not old["name"] and pending is None
    # The same person with a corrected phone or post is a correction, not a change of person: no change date,
    # no clock (Hegang 一(二) times the report of a personnel change).
    correction = not initial and pending is None and new.name == old["name"]
    today = timezone.localdate()
    if not initial and not correction:
        changed_on = changed_on or (pending.changed_on if pending else None)
        if _date(errors, "changed_on", "人员调整确定日期", changed_on) and changed_on > today:
            errors["changed_on"] = ["人员调整确定日期不能晚于今天"]
        elif changed_on and member.joined_on and changed_on < member.joined_on:
            errors["changed_on"] = [f"人员调整确定日期不能早于该单位加入会商机制的日期（{member.joined_on:%Y-%m-%d}）"]
    _raise("人员信息有误：", errors)
    after = {"name": new.name, "post": new.post, "phone": new.phone}
    if after == old and pending is None:
        raise Conflict(f"报送的{ContactRole(role).label}信息与现有信息相同，无需重复报送")
    now = timezone.now()
    for key, value in after.items():
        setattr(member, f"{role}_{key}", value)
    member.contacts_updated_at = now
    member.save(update_fields=[f"{role}_name", f"{role}_post", f"{role}_phone", "contacts_updated_at"])
    lead = member.mechanism.lead
    label = ContactRole(role).label
    if initial:
        record(actor=actor, obj=member, action="consultation.contacts_reported", before=old,
               after={**after, "role": role, "department": member.department.code, "initial": True,
                      "text": f"{label}：{new.name}（{new.post}，{new.phone}）"})
        return None
    if correction:
        record(actor=actor, obj=member, action="consultation.contacts_corrected", before=old,
               after={**after, "role": role, "department": member.department.code,
                      "text": f"更正{label}{new.name}的信息：{old['post']}，{old['phone']} → {new.post}，{new.phone}"})
        return None
    if pending is not None:
        change = pending
        change.changed_on = changed_on
    else:
        change = ContactChange(member=member, role=role, changed_on=changed_on, old_name=old["name"],
                               old_post=old["post"], old_phone=old["phone"])
    change.status, change.reported_at, change.reported_by = ContactChange.Status.REPORTED, now, actor
    change.name, change.post, change.phone = new.name, new.post, new.phone
    change.save()
    if pending is not None:
        change.clock = _close_clock(actor, change.clock, at=now)
    else:
        change.clock = start_met_clock(actor=actor, subject=change, rule_key="consultation.member_change_report",
                                       department=member.department, counterpart=lead,
                                       started_at=start_of_day(changed_on), label=f"报送{label}变动")
        change.save(update_fields=["clock"])
    late = bool(change.clock and change.clock.state == change.clock.State.BREACHED)
    record(actor=actor, obj=member, action="consultation.contacts_reported", before=old,
           after={**after, "role": role, "department": member.department.code, "changed_on": changed_on,
                  "late": late,
                  "text": f"{label}：{old['name'] or '（空缺）'} → {new.name}（{new.post}，{new.phone}）"})
    if lead != member.department:
        _notify(lead, "consultation_contact", f"{member.department.display_name}报送{label}变动：{new.name}",
                f"调整确定日期 {changed_on:%Y-%m-%d}{'，逾期报送' if late else ''}。", member.get_absolute_url())
    return change


@transaction.atomic
def note_contact_change(*, actor, member: Member, role: str, changed_on: dt.date, note: str) -> ContactChange:
    """The lead department learnt of a change the unit has not reported: the unit's clock runs from the change."""
    member = (Member.objects.select_for_update(of=("self",))
              .select_related("mechanism__lead", "department").get(pk=member.pk))
    _require_lead(actor, member.mechanism, "登记成员单位人员变动")
    errors: dict[str, list[str]] = {}
    if role not in ContactRole.values:
        errors["role"] = ["请选择责任领导或联络员"]
    if _date(errors, "changed_on", "人员调整确定日期", changed_on) and changed_on > timezone.localdate():
        errors["changed_on"] = ["人员调整确定日期不能晚于今天"]
    elif changed_on and member.joined_on and changed_on < member.joined_on:
        errors["changed_on"] = [f"人员调整确定日期不能早于该单位加入会商机制的日期（{member.joined_on:%Y-%m-%d}）"]
    note = _text(errors, "note", "获悉变动的情况", note, limit=255, min_len=4)
    _raise("人员变动信息有误：", errors)
    label = ContactRole(role).label
    if ContactChange.objects.filter(member=member, role=role, status=ContactChange.Status.PENDING).exists():
        raise Conflict(f"已登记{member.department.name}{label}变动，正等待该单位报送")
    old = member.contact(role)
    change = ContactChange.objects.create(member=member, role=role, status=ContactChange.Status.PENDING,
                                          changed_on=changed_on, old_name=old["name"], old_post=old["post"],
                                          old_phone=old["phone"], note=note, noted_by=actor)
    change.clock = start_clock(actor=actor, subject=change, rule_key="consultation.member_change_report",
                               department=member.department, counterpart=member.mechanism.lead,
                               started_at=start_of_day(changed_on), label=f"报送{label}变动")
    change.save(update_fields=["clock"])
    record(actor=actor, obj=member, action="consultation.contact_change_noted",
           after={"role": role, "department": member.department.code, "changed_on": changed_on, "text": note})
    limit = change.clock.rule_version.limit_display if change.clock else ""
    _notify(member.department, "consultation_contact", f"请报送{label}变动情况",
            f"{member.mechanism.lead.name}获悉你单位{label}已于{_cn(changed_on)}调整（{note}）。"
            f"请在调整确定后{limit}内报送新的人员及联系方式。", member.get_absolute_url())
    return change


@transaction.atomic
def apply_to_join(*, actor, mechanism: Mechanism, department: Department, reason: str, leader: Contact,
                  liaison: Contact) -> Application:
    """A department not listed applies to join (Hegang 一(二): 单独提出申请纳入)."""
    require_member(actor, department, "申请加入会商机制")
    mechanism = _locked_mechanism(mechanism)
    if department.jurisdiction_id != mechanism.jurisdiction_id:
        raise DomainError.for_field("department",
                                    f"只有{mechanism.jurisdiction.name}的单位可以申请加入{mechanism.name}")
    if _member(mechanism, department):
        raise Conflict(f"{department.name}已是{mechanism.name}成员单位")
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", "申请理由", reason, limit=2000, min_len=10)
    leader = _contact(errors, ContactRole.LEADER, leader)
    liaison = _contact(errors, ContactRole.LIAISON, liaison)
    _raise("加入申请有误：", errors)
    if Application.objects.filter(mechanism=mechanism, department=department,
                                  status=Application.Status.PENDING).exists():
        raise Conflict(f"{department.name}已提交加入申请，正在等待{mechanism.lead.name}审核")
    application = Application.objects.create(
        mechanism=mechanism, department=department, reason=reason, submitted_at=timezone.now(), submitted_by=actor,
        leader_name=leader.name, leader_post=leader.post, leader_phone=leader.phone,
        liaison_name=liaison.name, liaison_post=liaison.post, liaison_phone=liaison.phone)
    record(actor=actor, obj=mechanism, action="consultation.applied",
           after={"department": department.code, "receiver_name": department.name, "text": reason})
    _notify(mechanism.lead, "consultation_application", f"{department.name}申请加入{mechanism.name}", reason[:200],
            mechanism.get_absolute_url() + "#applications")
    return application


@transaction.atomic
def decide_application(*, actor, application: Application, approve: bool, reasons: str = "") -> Application:
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("mechanism__lead", "department").get(pk=application.pk))
    mechanism = application.mechanism
    _require_lead(actor, mechanism, "审核加入申请")
    if application.status != Application.Status.PENDING:
        raise Conflict(f"该申请已审核（{application.get_status_display()}）")
    reasons = (reasons or "").strip()
    if not approve and len(reasons) < 5:
        raise DomainError.for_field("reasons", "不同意加入须书面说明理由（不少于5个字）")
    if len(reasons) > 2000:
        raise DomainError.for_field("reasons", "审核意见不能超过2000个字")
    now = timezone.now()
    application.status = Application.Status.APPROVED if approve else Application.Status.DECLINED
    application.decided_at, application.decided_by, application.decision_reasons = now, actor, reasons
    application.save(update_fields=["status", "decided_at", "decided_by", "decision_reasons"])
    if approve:
        if _member(mechanism, application.department):
            raise Conflict(f"{application.department.name}已是成员单位")
        Member.objects.create(
            mechanism=mechanism, department=application.department, joined_on=timezone.localdate(),
            joined_via=Member.Via.APPLICATION, contacts_updated_at=now,
            **{f"{role}_{key}": getattr(application, f"{role}_{key}")
               for role in ContactRole.values for key in ("name", "post", "phone")})
    record(actor=actor, obj=mechanism,
           action="consultation.application_approved" if approve else "consultation.application_declined",
           after={"department": application.department.code, "receiver_name": application.department.name,
                  "reasons": reasons})
    _notify(application.department, "consultation_application",
            f"{mechanism.lead.name}{'同意' if approve else '不同意'}你单位加入{mechanism.name}",
            reasons, mechanism.get_absolute_url())
    return application


# --- meetings --------------------------------------------------------------------------------------
@dataclass
class MeetingInput:
    kind: str
    title: str
    place: str
    starts_at: dt.datetime
    reply_due_on: dt.date
    agenda: list[str]
    invitees: list[Department] | None = None  # a regular meeting invites every member unit
    scope: str = Meeting.Scope.MULTILATERAL
    purpose: str = ""


def _clean_agenda(errors: dict, titles) -> list[str]:
    cleaned = [t.strip() for t in titles or [] if t and t.strip()]
    if not cleaned:
        errors["agenda"] = ["请至少列出一个议题（会议议程）"]
    elif any(len(t) > 200 for t in cleaned):
        errors["agenda"] = ["每个议题不能超过200个字"]
    elif len(set(cleaned)) != len(cleaned):
        errors["agenda"] = ["议题有重复"]
    return cleaned


@transaction.atomic
def schedule_meeting(*, actor, mechanism: Mechanism, convener: Department, data: MeetingInput,
                     submission_key: str = "") -> Meeting:
    """A regular meeting (the lead department, every member unit invited) or an ad-hoc one any member unit may
    start (Weihai (二)), multi-party or bilateral (Zengdu 第六条): topic, agenda, invitations with a reply date."""
    if submission_key:
        existing = Meeting.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    require_member(actor, convener, "发起会商会议")
    mechanism = _locked_mechanism(mechanism)
    members = {m.department_id: m.department for m in mechanism.members.select_related("department")
               if m.department.active}
    if convener.id not in members:
        raise Forbidden(f"{convener.name}不是{mechanism.name}成员单位，不能发起会商会议")
    errors: dict[str, list[str]] = {}
    if data.kind not in Meeting.Kind.values:
        errors["kind"] = ["请选择会议类型"]
    elif data.kind == Meeting.Kind.REGULAR and convener != mechanism.lead:
        errors["kind"] = [f"定期会商会议由牵头部门{mechanism.lead.name}召集；其他成员单位可发起专题会商"]
    if data.scope not in Meeting.Scope.values:
        errors["scope"] = ["请选择会议形式"]
    elif data.kind == Meeting.Kind.REGULAR and data.scope == Meeting.Scope.BILATERAL:
        errors["scope"] = ["定期会商会议由全体成员单位参加，不能是双方联席会议"]
    title = _text(errors, "title", "会议主题", data.title, limit=200)
    place = _text(errors, "place", "会议地点", data.place, limit=200)
    purpose = _text(errors, "purpose", "会议内容", data.purpose, limit=5000, required=False)
    now = timezone.now()
    starts_at = _aware(errors, "starts_at", "会议时间", data.starts_at)
    if starts_at and starts_at <= now:
        errors["starts_at"] = ["会议时间须晚于当前时间"]
    reply_due_on = data.reply_due_on
    if _date(errors, "reply_due_on", "答复期限", reply_due_on):
        if reply_due_on < timezone.localdate():
            errors["reply_due_on"] = ["答复期限不能早于今天"]
        elif starts_at and "starts_at" not in errors and reply_due_on > local_date(starts_at):
            errors["reply_due_on"] = ["答复期限不能晚于会议日期"]
    if data.kind == Meeting.Kind.REGULAR:
        invitees = [d for pk, d in members.items() if pk != convener.id]
    else:
        invitees = [d for d in dict.fromkeys(data.invitees or []) if d != convener]
        outside = [d.name for d in invitees if d.id not in members]
        if outside:
            errors["invitees"] = [f"{'、'.join(outside)}不是{mechanism.name}成员单位"]
        elif data.scope == Meeting.Scope.BILATERAL and len(invitees) != 1:
            errors["invitees"] = ["双方联席会议只邀请一个配合单位"]
    if not invitees and "invitees" not in errors:
        errors["invitees"] = ["请至少邀请一个成员单位"]
    agenda = _clean_agenda(errors, data.agenda)
    _raise("会议通知有误：", errors)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                mechanism=mechanism, reference=placeholder(), submission_key=submission_key or None, kind=data.kind,
                scope=data.scope, convener=convener, title=title, purpose=purpose, place=place, starts_at=starts_at,
                reply_due_on=reply_due_on, created_by=actor)
    except IntegrityError:  # the same form submitted twice at once
        return Meeting.objects.get(submission_key=submission_key)
    meeting.reference = numbered("HS", meeting.pk, now)
    meeting.save(update_fields=["reference"])
    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, title=t, proposed_by=convener, proposed_by_user=actor,
                                               proposed_at=now, status=AgendaItem.Status.ADOPTED) for t in agenda])
    Invitation.objects.create(meeting=meeting, department=convener, is_convener=True,
                              reply=Invitation.Reply.ATTENDING, replied_at=now, replied_by=actor)
    when = timezone.localtime(starts_at)
    for dept in invitees:
        invitation = Invitation.objects.create(meeting=meeting, department=dept)
        invitation.clock = start_clock(actor=actor, subject=invitation, rule_key="consultation.meeting_reply",
                                       department=dept, counterpart=convener, started_at=now, due_on=reply_due_on,
                                       label=f"答复会议邀请：{title[:60]}")
        invitation.save(update_fields=["clock"])
        _notify(dept, "consultation_invitation", f"会议通知：{title}",
                f"{convener.name}定于{when:%Y年%m月%d日 %H:%M}在{place}召开{meeting.get_kind_display()}"
                f"（{meeting.get_scope_display()}）。请于{_cn(reply_due_on)}前答复是否参加及参会人员，可提出议题。",
                meeting.get_absolute_url())
    record(actor=actor, obj=meeting, action="consultation.meeting_scheduled",
           after={"reference": meeting.reference, "kind": meeting.kind, "scope": meeting.scope, "title": title,
                  "starts_at": starts_at, "place": place, "reply_due_on": reply_due_on,
                  "invitees": [d.code for d in invitees], "agenda": agenda, "text": title})
    if mechanism.lead != convener and mechanism.lead not in invitees:
        _notify(mechanism.lead, "consultation_meeting", f"{convener.display_name}发起会商：{title}",
                f"{when:%Y年%m月%d日 %H:%M}，{place}。", meeting.get_absolute_url())
    return meeting


def _invitation_of(meeting: Meeting, department: Department) -> Invitation | None:
    return meeting.invitations.filter(department=department).first()


@transaction.atomic
def propose_agenda_item(*, actor, meeting: Meeting, department: Department, title: str,
                        description: str = "") -> AgendaItem:
    """An invited unit proposes an item (the convener settles the agenda); the convener's own items are adopted."""
    require_member(actor, department, "提出会议议题")
    meeting = _locked_meeting(meeting)
    if _invitation_of(meeting, department) is None:
        raise Forbidden(f"{department.name}未受邀参加该会议，不能提出议题")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Conflict(f"会议{meeting.get_status_display()}，不能再提出议题")
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", "议题", title, limit=200)
    description = _text(errors, "description", "议题说明", description, limit=5000, required=False)
    _raise("议题有误：", errors)
    if meeting.agenda.filter(title=title).exclude(status=AgendaItem.Status.DECLINED).exists():
        raise Conflict(f"议程中已有议题“{title}”", field_errors={"title": ["议题重复"]})
    by_convener = department == meeting.convener
    item = AgendaItem.objects.create(
        meeting=meeting, title=title, description=description, proposed_by=department, proposed_by_user=actor,
        proposed_at=timezone.now(), status=AgendaItem.Status.ADOPTED if by_convener else AgendaItem.Status.PROPOSED)
    record(actor=actor, obj=meeting, action="consultation.agenda_proposed",
           after={"item": item.pk, "department": department.code, "text": title, "status": item.status})
    if not by_convener:
        _notify(meeting.convener, "consultation_agenda", f"{department.display_name}提出议题：{title}",
                description[:200], meeting.get_absolute_url())
    return item


@transaction.atomic
def decide_agenda_item(*, actor, item: AgendaItem, adopt: bool, reason: str = "") -> AgendaItem:
    meeting = _locked_meeting(item.meeting)
    require_member(actor, meeting.convener, "确定会议议程")
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("proposed_by").get(pk=item.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Conflict(f"会议{meeting.get_status_display()}，议程不能再调整")
    if item.status != AgendaItem.Status.PROPOSED:
        raise Conflict(f"议题“{item.title}”已{item.get_status_display()}")
    reason = (reason or "").strip()
    if not adopt and len(reason) < 4:
        raise DomainError.for_field("reason", "不列入议程须说明理由（不少于4个字）")
    item.status = AgendaItem.Status.ADOPTED if adopt else AgendaItem.Status.DECLINED
    item.decline_reason = "" if adopt else reason[:255]
    item.save(update_fields=["status", "decline_reason"])
    record(actor=actor, obj=meeting, action="consultation.agenda_adopted" if adopt else "consultation.agenda_declined",
           after={"item": item.pk, "text": item.title, "reasons": item.decline_reason})
    _notify(item.proposed_by, "consultation_agenda",
            f"议题“{item.title}”{'已列入议程' if adopt else '未列入议程'}", item.decline_reason,
            meeting.get_absolute_url())
    return item


def _clean_people(errors: dict, field: str, people) -> list[dict]:
    cleaned = []
    for i, person in enumerate(people or []):
        name = str((person or {}).get("name") or "").strip()
        post = str((person or {}).get("post") or "").strip()
        if not name:
            errors[field] = [f"第{i + 1}位人员未填写姓名"]
        elif len(name) > 32 or len(post) > 64:
            errors[field] = [f"第{i + 1}位人员的姓名或职务过长"]
        else:
            cleaned.append({"name": name, "post": post})
    return cleaned


@transaction.atomic
def reply_invitation(*, actor, invitation: Invitation, attending: bool, attendees: list[dict] | None = None,
                     reason: str = "") -> Invitation:
    """The invited unit answers whether it attends and who (配合部门应当选派人员参加); a changed answer before the
    meeting is recorded too. The reply clock is met (or late) at the first answer."""
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("meeting__convener", "department", "clock").get(pk=invitation.pk))
    require_member(actor, invitation.department, "答复会议邀请")
    meeting = invitation.meeting
    if invitation.is_convener:
        raise Conflict("发起部门无需答复会议邀请")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Conflict(f"会议{meeting.get_status_display()}，不能再答复")
    errors: dict[str, list[str]] = {}
    people, reason = [], (reason or "").strip()
    if attending:
        people = _clean_people(errors, "attendees", attendees)
        if not people and "attendees" not in errors:
            errors["attendees"] = ["请填写参会人员（姓名、职务）"]
        reason = ""
    elif len(reason) < 4:
        errors["decline_reason"] = ["不参加须说明理由（不少于4个字）"]
    elif len(reason) > 255:
        errors["decline_reason"] = ["理由不能超过255个字"]
    _raise("参会答复有误：", errors)
    reply = Invitation.Reply.ATTENDING if attending else Invitation.Reply.DECLINED
    if (invitation.reply, invitation.attendees, invitation.decline_reason) == (reply, people, reason):
        return invitation  # the same answer again (a double click): nothing changes
    before = {"reply": invitation.reply, "attendees": invitation.attendees}
    now = timezone.now()
    invitation.reply, invitation.attendees, invitation.decline_reason = reply, people, reason
    invitation.replied_at, invitation.replied_by = now, actor
    invitation.save(update_fields=["reply", "attendees", "decline_reason", "replied_at", "replied_by"])
    _close_clock(actor, invitation.clock, at=now)
    names = "、".join(f"{p['name']}（{p['post']}）" if p["post"] else p["name"] for p in people)
    text = f"{invitation.department.display_name}：{'参加，' + names if attending else '不参加，' + reason}"
    record(actor=actor, obj=meeting, action="consultation.invitation_replied", before=before,
           after={"department": invitation.department.code, "reply": reply, "attendees": people, "text": text})
    _notify(meeting.convener, "consultation_reply", f"{invitation.department.display_name}答复：{meeting.title}",
            text, meeting.get_absolute_url())
    return invitation


@transaction.atomic
def cancel_meeting(*, actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = _locked_meeting(meeting)
    require_member(actor, meeting.convener, "取消会议")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Conflict(f"会议{meeting.get_status_display()}，不能取消")
    reason = (reason or "").strip()
    if len(reason) < 4 or len(reason) > 255:
        raise DomainError.for_field("reason", "取消会议须说明原因（4–255个字）")
    for invitation in meeting.invitations.select_related("clock", "department"):
        _cancel_clock(actor, invitation.clock, "会议已取消")
        if not invitation.is_convener:
            _notify(invitation.department, "consultation_meeting", f"会议取消：{meeting.title}", reason,
                    meeting.get_absolute_url())
    meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, reason
    meeting.save(update_fields=["status", "cancel_reason"])
    record(actor=actor, obj=meeting, action="consultation.meeting_cancelled", reason=reason,
           after={"status": meeting.status, "reasons": reason})
    return meeting


@transaction.atomic
def record_meeting(*, actor, meeting: Meeting, held_at: dt.datetime, place: str, chair: str, summary: str,
                   attendance: dict[int, list[str]]) -> Meeting:
    """The convener records that the meeting was held: when, where, who chaired, what was discussed, and who came
    from each unit (`attendance`: invitation id -> names; a unit with no names was absent). A regular meeting
    meets its period's clock and starts the next period's."""
    meeting = _locked_meeting(meeting)
    require_member(actor, meeting.convener, "记录会议召开情况")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Conflict(f"会议{meeting.get_status_display()}，不能重复记录")
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    held_at = _aware(errors, "held_at", "召开时间", held_at)
    if held_at and held_at > now + CLOCK_SKEW:
        errors["held_at"] = ["召开时间不能晚于当前时间"]
    elif held_at and held_at < meeting.created_at - CLOCK_SKEW:
        errors["held_at"] = ["召开时间不能早于发出会议通知的时间"]
    place = _text(errors, "place", "会议地点", place, limit=200)
    chair = _text(errors, "chair", "主持人", chair, limit=64)
    summary = _text(errors, "summary", "会议情况", summary, limit=20000, min_len=10)
    invitations = {i.pk: i for i in meeting.invitations.select_related("department", "clock")}
    unknown = [k for k in (attendance or {}) if k not in invitations]
    present: dict[int, list[str]] = {}
    for pk, names in (attendance or {}).items():
        cleaned = [n.strip() for n in names or [] if n and n.strip()]
        if any(len(n) > 32 for n in cleaned):
            errors["attendance"] = ["参会人员姓名过长（每人不超过32个字）"]
        present[pk] = list(dict.fromkeys(cleaned))
    if unknown:
        errors["attendance"] = ["出席情况中有未受邀的单位"]
    elif "attendance" not in errors:
        convener = next(i for i in invitations.values() if i.is_convener)
        if not present.get(convener.pk):
            errors["attendance"] = [f"请填写发起部门（{meeting.convener.display_name}）的出席人员"]
        elif not any(present.get(pk) for pk, i in invitations.items() if not i.is_convener):
            errors["attendance"] = ["除发起部门外，至少应有一个受邀单位出席"]
    _raise("会议记录有误：", errors)
    for pk, invitation in invitations.items():
        invitation.present = present.get(pk, [])
        invitation.save(update_fields=["present"])
        _cancel_clock(actor, invitation.clock, "会议已召开，该单位未在期限内答复")
    meeting.status, meeting.held_at, meeting.place, meeting.chair, meeting.summary = (
        Meeting.Status.HELD, held_at, place, chair, summary)
    meeting.save(update_fields=["status", "held_at", "place", "chair", "summary"])
    record(actor=actor, obj=meeting, action="consultation.meeting_held",
           after={"held_at": held_at, "place": place, "chair": chair,
                  "present": {invitations[pk].department.code: names for pk, names in present.items() if names},
                  "text": f"主持：{chair}，地点：{place}"})
    if meeting.kind == Meeting.Kind.REGULAR:
        _discharge_periods(actor, meeting)
    return meeting


def _create_decision(actor, meeting: Meeting, *, text: str, owner: Department, due_on: dt.date,
                     started_at: dt.datetime, source: str = Decision.Source.MEETING,
                     agenda_item: AgendaItem | None = None, escalation: Escalation | None = None) -> Decision:
    now = timezone.now()
    decision = Decision.objects.create(meeting=meeting, reference=placeholder(), source=source, agenda_item=agenda_item,
                                       escalation=escalation, text=text, owner=owner, due_on=due_on, created_by=actor)
    decision.reference = numbered("YD", decision.pk, now)
    decision.clock = start_clock(actor=actor, subject=decision, rule_key="consultation.decision", department=owner,
                                 counterpart=meeting.mechanism.lead, started_at=started_at, due_on=due_on,
                                 label=f"落实议定事项：{text[:50]}")
    decision.save(update_fields=["reference", "clock"])
    record(actor=actor, obj=decision, action="consultation.decision_added",
           after={"reference": decision.reference, "meeting": meeting.reference, "owner": owner.code,
                  "receiver_name": owner.name, "due_on": due_on, "source": source, "text": text})
    _notify(owner, "consultation_decision", f"会商议定事项：{text[:60]}",
            f"{meeting.title}（{meeting.reference}）议定，由你单位负责落实，完成期限{_cn(due_on)}。"
            "请按期落实，并在平台报告进展和结果。", decision.get_absolute_url())
    return decision


def _check_owner(errors: dict, mechanism: Mechanism, owner) -> None:
    if not isinstance(owner, Department):
        errors["owner"] = ["请选择责任单位"]
    elif _member(mechanism, owner) is None:
        errors["owner"] = [f"{owner.name}不是{mechanism.name}成员单位"]


@transaction.atomic
def add_decision(*, actor, meeting: Meeting, text: str, owner: Department, due_on: dt.date,
                 agenda_item: AgendaItem | None = None) -> Decision:
    """A decided item with its owning unit and due date; the owner's clock runs from the meeting to that date."""
    meeting = _locked_meeting(meeting)
    require_member(actor, meeting.convener, "登记议定事项")
    require_power(actor, meeting.convener, "meeting.decide")
    if meeting.status != Meeting.Status.HELD:
        if meeting.status == Meeting.Status.MINUTES_ISSUED:
            raise Conflict("会议纪要已印发，议定事项以纪要为准，不能再增加")
        raise Conflict(f"会议{meeting.get_status_display()}，召开后才能登记议定事项")
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", "议定事项", text, limit=2000, min_len=5)
    _check_owner(errors, meeting.mechanism, owner)
    if _date(errors, "due_on", "完成期限", due_on) and due_on < local_date(meeting.held_at):
        errors["due_on"] = ["完成期限不能早于会议召开日期"]
    if agenda_item is not None and (agenda_item.meeting_id != meeting.pk
                                    or agenda_item.status != AgendaItem.Status.ADOPTED):
        errors["agenda_item"] = ["请选择本次会议议程中的议题"]
    _raise("议定事项有误：", errors)
    if meeting.decisions.filter(text=text, owner=owner, status=Decision.Status.OPEN).exists():
        raise Conflict("已登记相同的议定事项", field_errors={"text": ["重复"]})
    return _create_decision(actor, meeting, text=text, owner=owner, due_on=due_on, started_at=meeting.held_at,
                            agenda_item=agenda_item)


@transaction.atomic
def withdraw_decision(*, actor, decision: Decision, reason: str) -> Decision:
    """A decision entered by mistake, withdrawn before the minutes are issued."""
    meeting = _locked_meeting(decision.meeting)
    require_member(actor, meeting.convener, "撤回议定事项")
    require_power(actor, meeting.convener, "meeting.decide")
    decision = Decision.objects.select_for_update(of=("self",)).select_related("owner", "clock").get(pk=decision.pk)
    if meeting.status != Meeting.Status.HELD or decision.source != Decision.Source.MEETING:
        raise Conflict("会议纪要已印发，议定事项不能撤回")
    if decision.status != Decision.Status.OPEN:
        raise Conflict(f"该议定事项{decision.get_status_display()}")
    reason = (reason or "").strip()
    if len(reason) < 4 or len(reason) > 255:
        raise DomainError.for_field("reason", "撤回须说明理由（4–255个字）")
    _cancel_clock(actor, decision.clock, f"议定事项撤回：{reason}")
    decision.status, decision.withdrawn_reason = Decision.Status.WITHDRAWN, reason
    decision.save(update_fields=["status", "withdrawn_reason"])
    record(actor=actor, obj=decision, action="consultation.decision_withdrawn", reason=reason,
           after={"status": decision.status, "reasons": reason})
    _notify(decision.owner, "consultation_decision", f"议定事项已撤回：{decision.text[:60]}", reason,
            decision.get_absolute_url())
    return decision


@transaction.atomic
def issue_minutes(*, actor, meeting: Meeting) -> Meeting:
    """The convener issues the minutes (会议纪要) as a numbered letter: time, place, chair, attendance by unit,
    decisions with owners and due dates, and matters submitted to the government."""
    meeting = _locked_meeting(meeting)
    require_member(actor, meeting.convener, "印发会议纪要")
    require_power(actor, meeting.convener, "meeting.minutes")
    if meeting.status == Meeting.Status.MINUTES_ISSUED:
        raise Conflict(f"会议纪要已印发（{meeting.minutes_letter.doc_number}）")
    if meeting.status != Meeting.Status.HELD:
        raise Conflict(f"会议{meeting.get_status_display()}，召开后才能印发纪要")
    invited = [i.department for i in meeting.invitations.select_related("department") if not i.is_convener]
    regular = meeting.kind == Meeting.Kind.REGULAR
    letter = issue_letter(actor=actor, issuer=meeting.convener, kind=Letter.Kind.MINUTES,
                          title=f"{meeting.title.removesuffix('会议')}会议纪要", body=meeting.summary, subject=meeting,
                          addressee_name="各成员单位" if regular else "各参会单位",
                          cc=[d.name for d in invited])
    meeting.minutes_letter, meeting.status = letter, Meeting.Status.MINUTES_ISSUED
    meeting.save(update_fields=["minutes_letter", "status"])
    record(actor=actor, obj=meeting, action="consultation.minutes_issued",
           after={"doc_number": letter.doc_number, "title": letter.title, "status": meeting.status})
    for dept in invited:
        _notify(dept, "consultation_minutes", f"会议纪要已印发：{meeting.title}", letter.doc_number,
                meeting.get_absolute_url())
    return meeting


def _report_body(meeting: Meeting, matter: str, positions: str) -> list[str]:
    held = local_date(meeting.held_at)
    units = "、".join(i.department.name for i in meeting.invitations.select_related("department") if i.present)
    return [
        f"{_cn(held)}，{meeting.convener.name}召集召开{meeting.kind_phrase}（{meeting.title}），"
        f"{units}参加，就“{matter}”进行了会商。",
        "经充分协商，与会单位未能就该事项达成一致意见。各方意见如下：",
        positions,
        f"按照联席会议无法达成一致意见的事项提交{meeting.mechanism.government_name}决定的规定，现将有关情况报告，"
        "请予决定。",
        "特此报告。",
    ]


def government_for(mechanism: Mechanism) -> Department | None:
    """The people's government of the mechanism's jurisdiction as a department of the platform, where it has one."""
    return (Department.objects.filter(jurisdiction=mechanism.jurisdiction, active=True,
                                      name=mechanism.government_name).first()
            or Department.objects.filter(jurisdiction=mechanism.jurisdiction, active=True,
                                         name__endswith="人民政府").order_by("code").first())


@transaction.atomic
def escalate(*, actor, meeting: Meeting, matter: str, positions: str,
             agenda_item: AgendaItem | None = None, government: Department | None = None):
    """An item the meeting could not agree on goes to the people's government for decision (Zengdu 第六条),
    by a report the lead department issues to the government. The government is a department of the platform
    where it has one (chosen, or found in the jurisdiction): its staff are notified, open the report and the
    meeting, and record the decision themselves. Without one, the report is addressed by name only.

    The report is a 上行文: where the lead's rule profile requires a leader's sign-off for reports, a handler's
    escalation waits as a LetterDraft (returned here) and the Escalation exists, and reaches the government, only
    once a leader signs it (casework.letters.signoff); otherwise the Escalation is returned at once."""
    from casework.letters import signoff
    from casework.letters.models import LetterDraft

    meeting = _locked_meeting(meeting)
    mechanism = meeting.mechanism
    _require_lead(actor, mechanism, "提请政府决定未达成一致的事项")
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.MINUTES_ISSUED):
        raise Conflict("会议召开后才能提请政府决定未达成一致意见的事项")
    errors: dict[str, list[str]] = {}
    matter = _text(errors, "matter", "未达成一致的事项", matter, limit=200)
    positions = _text(errors, "positions", "各方意见", positions, limit=20000, min_len=10)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = ["请选择本次会议的议题"]
    _raise("提请事项有误：", errors)
    if meeting.escalations.filter(matter=matter).exists():
        raise Conflict(f"“{matter}”已提请政府决定", field_errors={"matter": ["重复"]})
    if LetterDraft.objects.filter(subject_type=ContentType.objects.get_for_model(Meeting), subject_id=str(meeting.pk),
                                  purpose=ESCALATION_PURPOSE, state=LetterDraft.State.PENDING,
                                  payload__matter=matter).exists():
        raise Conflict(f"“{matter}”的报告已报请负责人签发", field_errors={"matter": ["等待签发"]})
    addressee = government or government_for(mechanism)
    if addressee is not None and addressee == mechanism.lead:
        raise DomainError.for_field("government", "报送机关不能是牵头部门本身")
    government = addressee.name if addressee is not None else mechanism.government_name
    result = signoff.issue_or_submit(
        actor=actor, issuer=mechanism.lead, kind=Letter.Kind.REPORT, title=f"关于提请决定{matter}的报告",
        body=_report_body(meeting, matter, positions), subject=meeting, addressee=addressee,
        addressee_name="" if addressee is not None else government, purpose=ESCALATION_PURPOSE,
        payload={"meeting": meeting.pk, "matter": matter, "positions": positions, "government_name": government,
                 "government": addressee.pk if addressee is not None else None,
                 "agenda_item": agenda_item.pk if agenda_item is not None else None,
                 "submitted_by": actor.pk, "submitted_at": timezone.now().isoformat()})
    if isinstance(result, Letter):
        return meeting.escalations.get(matter=matter)
    return result


ESCALATION_PURPOSE = "consultations.escalation"


def _escalation_issued(*, actor, letter: Letter, payload: dict) -> None:
    """The report is issued (at once or at sign-off): the Escalation is recorded and the government told."""
    from django.contrib.auth import get_user_model

    meeting = _locked_meeting(Meeting(pk=payload["meeting"]))
    mechanism, matter, government = meeting.mechanism, payload["matter"], payload["government_name"]
    if meeting.escalations.filter(matter=matter).exists():
        raise Conflict(f"“{matter}”已提请政府决定", field_errors={"matter": ["重复"]})
    escalation = Escalation.objects.create(
        meeting=meeting, agenda_item_id=payload.get("agenda_item"), matter=matter, positions=payload["positions"],
        government_name=government, government_id=payload.get("government"), report_letter=letter,
        submitted_at=dt.datetime.fromisoformat(payload["submitted_at"]),
        submitted_by=get_user_model().objects.get(pk=payload["submitted_by"]))
    if escalation.government_id:
        notify_department(department=escalation.government, roles=(Membership.Role.LEADER, Membership.Role.HANDLER),
                          kind="consultation_escalation", title=f"{mechanism.lead.name}提请决定：{matter}",
                          body=f"{letter.doc_number}。请研究决定，并在平台记录决定。",
                          url=meeting.get_absolute_url() + f"#escalation-{escalation.pk}")
    record(actor=actor, obj=meeting, action="consultation.escalated",
           after={"escalation": escalation.pk, "government": government, "doc_number": letter.doc_number,
                  "title": letter.title, "text": matter})
    for invitation in meeting.invitations.select_related("department"):
        if invitation.department != mechanism.lead:
            _notify(invitation.department, "consultation_escalation", f"提请{government}决定：{matter}",
                    letter.doc_number, meeting.get_absolute_url())


def _register_signoff() -> None:
    from casework.letters import signoff

    signoff.register(ESCALATION_PURPOSE, _escalation_issued)


_register_signoff()


@transaction.atomic
def record_government_decision(*, actor, escalation: Escalation, decision: str, decided_on: dt.date,
                               doc_number: str = "", owner: Department | None = None,
                               due_on: dt.date | None = None) -> Escalation:
    """The government's decision on an escalated matter, recorded by the government's own staff (by the lead
    department only where the government has no account on the platform); with an owner and a due date it
    becomes a tracked decision like the meeting's own."""
    escalation = (Escalation.objects.select_for_update(of=("self",))
                  .select_related("meeting__mechanism__lead", "meeting__convener", "government").get(pk=escalation.pk))
    meeting = escalation.meeting
    if escalation.government_id:
        require_member(actor, escalation.government, "记录政府决定")
        require_power(actor, escalation.government, "meeting.decide")
    else:
        _require_lead(actor, meeting.mechanism, "记录政府决定")
        require_power(actor, meeting.mechanism.lead, "meeting.decide")
    if escalation.status != Escalation.Status.SUBMITTED:
        raise Conflict(f"已记录{escalation.government_name}的决定")
    errors: dict[str, list[str]] = {}
    decision = _text(errors, "decision", "政府决定内容", decision, limit=5000, min_len=5)
    doc_number = _text(errors, "doc_number", "决定文号", doc_number, limit=64, required=False)
    if _date(errors, "decided_on", "决定日期", decided_on):
        if decided_on > timezone.localdate():
            errors["decided_on"] = ["决定日期不能晚于今天"]
        elif decided_on < local_date(escalation.submitted_at):
            errors["decided_on"] = ["决定日期不能早于提请日期"]
    if owner is not None or due_on is not None:
        _check_owner(errors, meeting.mechanism, owner)
        if _date(errors, "due_on", "完成期限", due_on) and decided_on and due_on < decided_on:
            errors["due_on"] = ["完成期限不能早于决定日期"]
    _raise("政府决定信息有误：", errors)
    escalation.status, escalation.decision, escalation.decided_on = Escalation.Status.DECIDED, decision, decided_on
    escalation.decision_doc_number, escalation.recorded_by, escalation.recorded_at = doc_number, actor, timezone.now()
    escalation.save(update_fields=["status", "decision", "decided_on", "decision_doc_number", "recorded_by",
                                   "recorded_at"])
    record(actor=actor, obj=meeting, action="consultation.government_decided",
           after={"escalation": escalation.pk, "doc_number": doc_number, "decided_on": decided_on,
                  "text": f"{escalation.matter}：{decision}"})
    if owner is not None:
        started = min(timezone.now(), start_of_day(decided_on) + dt.timedelta(hours=9))
        _create_decision(actor, meeting, text=f"落实{escalation.government_name}决定：{decision}"[:2000], owner=owner,
                         due_on=due_on, started_at=started, source=Decision.Source.GOVERNMENT, escalation=escalation)
    if meeting.convener != meeting.mechanism.lead:
        _notify(meeting.convener, "consultation_escalation", f"{escalation.government_name}已决定：{escalation.matter}",
                decision[:200], meeting.get_absolute_url())
    return escalation


# --- decisions: follow-up ----------------------------------------------------------------------------
def _locked_decision(decision: Decision) -> Decision:
    return (Decision.objects.select_for_update(of=("self",))
            .select_related("owner", "clock", "meeting__mechanism__lead", "meeting__convener").get(pk=decision.pk))


def _owner_action(actor, decision: Decision, what: str) -> Decision:
    decision = _locked_decision(decision)
    require_member(actor, decision.owner, what)
    if decision.status != Decision.Status.OPEN:
        raise Conflict(f"该议定事项{decision.get_status_display()}")
    return decision


@transaction.atomic
def add_progress(*, actor, decision: Decision, note: str) -> Progress:
    decision = _owner_action(actor, decision, "报告议定事项落实进展")
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", "进展情况", note, limit=5000, min_len=5)
    _raise("进展情况有误：", errors)
    last = decision.progress.order_by("-created_at", "-id").first()
    if last is not None and last.note == note:
        return last  # the same note twice (a double click or a retry)
    progress = Progress.objects.create(decision=decision, department=decision.owner, note=note, created_by=actor,
                                       created_at=timezone.now())
    record(actor=actor, obj=decision, action="consultation.decision_progress", after={"text": note})
    lead = decision.meeting.mechanism.lead
    if lead != decision.owner:
        _notify(lead, "consultation_progress", f"{decision.owner.display_name}报告进展：{decision.text[:40]}",
                note[:200], decision.get_absolute_url())
    return progress


@transaction.atomic
def complete_decision(*, actor, decision: Decision, result: str) -> Decision:
    decision = _owner_action(actor, decision, "报告议定事项落实结果")
    errors: dict[str, list[str]] = {}
    result = _text(errors, "result", "落实结果", result, limit=5000, min_len=5)
    _raise("落实结果有误：", errors)
    now = timezone.now()
    decision.status, decision.result, decision.completed_at, decision.completed_by = (
        Decision.Status.DONE, result, now, actor)
    decision.save(update_fields=["status", "result", "completed_at", "completed_by"])
    decision.clock = _close_clock(actor, decision.clock, at=now)
    late = bool(decision.clock and decision.clock.state == decision.clock.State.BREACHED)
    record(actor=actor, obj=decision, action="consultation.decision_done",
           after={"status": decision.status, "result": result, "late": late})
    for dept in {decision.meeting.mechanism.lead, decision.meeting.convener} - {decision.owner}:
        _notify(dept, "consultation_progress", f"{decision.owner.display_name}已落实：{decision.text[:40]}",
                result[:200], decision.get_absolute_url())
    return decision


def _follow_up(actor, decision: Decision, kind: str, target, label: str, note: str) -> FollowUp:
    follow, created = FollowUp.objects.get_or_create(
        decision=decision, target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk),
        defaults={"kind": kind, "label": label[:200], "created_by": actor})
    if created:
        Progress.objects.create(decision=decision, department=decision.owner, note=note, created_by=actor,
                                created_at=timezone.now())
        record(actor=actor, obj=decision,
               action="consultation.decision_referred" if kind == FollowUp.Kind.REFERRAL
               else "consultation.decision_joint_action", after={"kind": kind, "target": target.pk, "text": label})
    return follow


@transaction.atomic
def refer_from_decision(*, actor, decision: Decision, receivers: list[Department], matter: str, legal_basis: str,
                        materials: list[str], project_code: str, project_name: str, summary: str) -> FollowUp:
    """The owner transfers the matter the decision names to the competent organ in one step: a clue it holds,
    transferred with its 移送函 (referrals.refer_matter). One referral per decision; a retry returns it."""
    from referrals.services import refer_matter

    decision = _owner_action(actor, decision, "据议定事项移送问题线索")
    clue = refer_matter(actor=actor, department=decision.owner, origin=decision, project_code=project_code,
                        project_name=project_name, summary=summary, receivers=list(receivers), matter=matter,
                        legal_basis=legal_basis, materials=list(materials))
    names = "、".join(t.receiver.name for t in clue.transfers.select_related("receiver"))
    return _follow_up(actor, decision, FollowUp.Kind.REFERRAL, clue,
                      f"问题线索 {clue.reference} {clue.project_name}",
                      f"已据本议定事项移送问题线索（编号 {clue.reference}）至{names}。")


@transaction.atomic
def start_joint_action_from_decision(*, actor, decision: Decision, kind: str, trigger: str, trigger_note: str,
                                     title: str, participants: list[Department]) -> FollowUp:
    """The owner starts a joint enforcement action or inspection the decision calls for, in one step
    (jointaction.start_action, with the decision as its origin)."""
    from jointaction.services import start_action

    decision = _owner_action(actor, decision, "据议定事项发起联合执法或检查")
    existing = decision.followups.filter(kind=FollowUp.Kind.JOINT_ACTION).first()
    if existing is not None:
        return existing  # one joint action per decision: a retry or a double click returns it
    action = start_action(actor=actor, initiator=decision.owner, kind=kind, trigger=trigger,
                          trigger_note=trigger_note, title=title, participants=list(participants), origin=decision)
    return _follow_up(actor, decision, FollowUp.Kind.JOINT_ACTION, action, f"联合行动：{action}",
                      f"已据本议定事项发起联合行动“{action}”。")


# --- consulting member units on rules ------------------------------------------------------------------
@dataclass
class SolicitationInput:
    kind: str
    title: str
    draft_text: str
    deadline: dt.date
    recipients: list[Department]


def draft_name(title: str) -> str:
    """《title》（征求意见稿）, without saying 征求意见稿 twice when the title already does."""
    title = title.strip().removeprefix("《").removesuffix("》")
    return f"《{title}》" if "征求意见稿" in title else f"《{title}》（征求意见稿）"


def _solicit_body(mechanism: Mechanism, solicitation: Solicitation, initiator: Member | None) -> list[str]:
    body = [
        f"为规范公共资源交易活动，我单位起草了{draft_name(solicitation.title)}。按照制定公共资源交易"
        f"{solicitation.get_kind_display()}应事前征求{mechanism.name}成员单位及相关单位意见的要求，现送你单位"
        "征求意见。",
        f"请于{_cn(solicitation.deadline)}前通过公共资源交易协同监管平台反馈书面意见；无意见的，也请反馈“无意见”。"
        "逾期未反馈的，将按规定提醒、督办。",
    ]
    if initiator is not None and initiator.liaison_name:
        body.append(f"联系人：{initiator.liaison_name}，联系电话：{initiator.liaison_phone}。")
    return body


@transaction.atomic
def solicit_comments(*, actor, mechanism: Mechanism, initiator: Department, data: SolicitationInput,
                     submission_key: str = "") -> Solicitation:
    """Circulate a draft to member units for comments by a deadline, with a 征求意见函 (Luoyang 四(三)): each
    unit's reply runs on a clock to the deadline. A supervising department or the trading centre must consult the
    DRC (the lead department)."""
    if submission_key:
        existing = Solicitation.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    require_member(actor, initiator, "征求意见")
    mechanism = _locked_mechanism(mechanism)
    members = {m.department_id: m for m in mechanism.members.select_related("department") if m.department.active}
    if initiator.id not in members:
        raise Forbidden(f"{initiator.name}不是{mechanism.name}成员单位")
    errors: dict[str, list[str]] = {}
    if data.kind not in Solicitation.Kind.values:
        errors["kind"] = ["请选择文件类别"]
    elif data.kind == Solicitation.Kind.SITE_RULE and initiator.type != Department.Type.TRADING_CENTRE:
        errors["kind"] = ["交易现场管理制度由公共资源交易中心制定"]
    title = _text(errors, "title", "文件名称", data.title, limit=200)
    draft = _text(errors, "draft_text", "征求意见稿", data.draft_text, limit=100000, min_len=20)
    today = timezone.localdate()
    if _date(errors, "deadline", "反馈期限", data.deadline):
        if data.deadline <= today:
            errors["deadline"] = ["反馈期限须晚于今天"]
        elif data.deadline > today + dt.timedelta(days=365):
            errors["deadline"] = ["反馈期限不能超过一年"]
    recipients = [d for d in dict.fromkeys(data.recipients or []) if d != initiator]
    outside = [d.name for d in recipients if d.id not in members]
    if outside:
        errors["recipients"] = [f"{'、'.join(outside)}不是{mechanism.name}成员单位"]
    elif not recipients:
        errors["recipients"] = ["请至少选择一个征求意见的单位"]
    elif initiator != mechanism.lead and mechanism.lead not in recipients:
        errors["recipients"] = [f"行政监督部门、交易中心制定的制度应事前征求发展改革部门（{mechanism.lead.name}）意见"]
    _raise("征求意见信息有误：", errors)
    try:
        with transaction.atomic():
            solicitation = Solicitation.objects.create(
                mechanism=mechanism, reference=placeholder(), submission_key=submission_key or None,
                initiator=initiator, kind=data.kind, title=title, draft_text=draft, deadline=data.deadline,
                created_by=actor)
    except IntegrityError:
        return Solicitation.objects.get(submission_key=submission_key)
    now = timezone.now()
    solicitation.reference = numbered("ZQ", solicitation.pk, now)
    everyone = set(members) - {initiator.id} == {d.id for d in recipients}
    names = "、".join(d.name for d in recipients)
    addressee = f"{mechanism.name}各成员单位" if everyone else (names if len(names) <= 200 else "各有关单位")
    solicitation.letter = issue_letter(
        actor=actor, issuer=initiator, kind=Letter.Kind.SOLICIT, title=f"关于征求《{title}》意见的函",
        body=_solicit_body(mechanism, solicitation, members.get(initiator.id)), subject=solicitation,
        addressee_name=addressee, materials=[draft_name(title)])
    solicitation.save(update_fields=["reference", "letter"])
    for dept in recipients:
        reply = CommentReply.objects.create(solicitation=solicitation, department=dept)
        reply.clock = start_clock(actor=actor, subject=reply, rule_key="consultation.rule_comments", department=dept,
                                  counterpart=initiator, started_at=now, due_on=data.deadline,
                                  label=f"反馈《{title[:40]}》意见")
        reply.save(update_fields=["clock"])
        _notify(dept, "consultation_solicit", f"征求意见：《{title}》",
                f"{initiator.name}征求意见（{solicitation.letter.doc_number}），请于{_cn(data.deadline)}前反馈；"
                "无意见的也请反馈“无意见”。", solicitation.get_absolute_url())
    record(actor=actor, obj=solicitation, action="consultation.solicited",
           after={"reference": solicitation.reference, "kind": data.kind, "title": title,
                  "deadline": data.deadline, "recipients": [d.code for d in recipients],
                  "doc_number": solicitation.letter.doc_number})
    return solicitation


@transaction.atomic
def reply_comments(*, actor, reply: CommentReply, no_comments: bool, comments: str = "") -> CommentReply:
    reply = (CommentReply.objects.select_for_update(of=("self",))
             .select_related("solicitation__initiator", "department", "clock").get(pk=reply.pk))
    require_member(actor, reply.department, "反馈意见")
    solicitation = reply.solicitation
    if solicitation.status != Solicitation.Status.OPEN:
        raise Conflict(f"《{solicitation.title}》已定稿，不再收集意见")
    if reply.status == CommentReply.Status.REPLIED:
        raise Conflict(f"{reply.department.name}已于{timezone.localtime(reply.replied_at):%Y-%m-%d %H:%M}反馈意见")
    comments = (comments or "").strip()
    if no_comments and comments:
        raise DomainError.for_field("comments", "已选择“无意见”，请勿同时填写意见")
    if not no_comments and len(comments) < 5:
        raise DomainError.for_field("comments", "请填写意见（不少于5个字）；无意见的请选择“无意见”")
    if len(comments) > 20000:
        raise DomainError.for_field("comments", "意见不能超过20000个字")
    now = timezone.now()
    reply.status, reply.no_comments, reply.comments = CommentReply.Status.REPLIED, bool(no_comments), comments
    reply.replied_at, reply.replied_by = now, actor
    reply.save(update_fields=["status", "no_comments", "comments", "replied_at", "replied_by"])
    _close_clock(actor, reply.clock, at=now)
    text = "无意见" if no_comments else comments
    record(actor=actor, obj=solicitation, action="consultation.comments_replied",
           after={"department": reply.department.code, "receiver_name": reply.department.name, "text": text})
    _notify(solicitation.initiator, "consultation_comment",
            f"{reply.department.display_name}反馈《{solicitation.title}》意见", text[:200],
            solicitation.get_absolute_url())
    return reply


@transaction.atomic
def finalise_solicitation(*, actor, solicitation: Solicitation, final_text: str, adoption_note: str) -> Solicitation:
    """The drafting unit keeps the final text and how the comments were taken up. Before the deadline every unit
    must have replied; after it, units that did not are recorded as lapsed."""
    solicitation = (Solicitation.objects.select_for_update(of=("self",))
                    .select_related("initiator", "mechanism__lead").get(pk=solicitation.pk))
    require_member(actor, solicitation.initiator, "定稿")
    if solicitation.status != Solicitation.Status.OPEN:
        raise Conflict(f"《{solicitation.title}》已定稿")
    pending = list(solicitation.replies.filter(status=CommentReply.Status.PENDING)
                   .select_related("department", "clock"))
    if pending and timezone.localdate() <= solicitation.deadline:
        raise Conflict(f"{'、'.join(r.department.name for r in pending)}尚未反馈意见，"
                       f"反馈期限（{solicitation.deadline:%Y-%m-%d}）届满前不能定稿")
    errors: dict[str, list[str]] = {}
    final_text = _text(errors, "final_text", "定稿", final_text, limit=100000, min_len=20)
    adoption_note = _text(errors, "adoption_note", "意见采纳情况", adoption_note, limit=20000, min_len=5)
    _raise("定稿信息有误：", errors)
    for reply in pending:
        reply.status = CommentReply.Status.LAPSED
        reply.save(update_fields=["status"])
        _cancel_clock(actor, reply.clock, "反馈期限届满未反馈，起草单位已定稿")
    now = timezone.now()
    solicitation.status, solicitation.final_text, solicitation.adoption_note = (
        Solicitation.Status.FINAL, final_text, adoption_note)
    solicitation.finalised_at, solicitation.finalised_by = now, actor
    solicitation.save(update_fields=["status", "final_text", "adoption_note", "finalised_at", "finalised_by"])
    record(actor=actor, obj=solicitation, action="consultation.solicitation_finalised",
           after={"status": solicitation.status, "lapsed": [r.department.code for r in pending],
                  "text": adoption_note})
    return solicitation


@transaction.atomic
def record_filing(*, actor, solicitation: Solicitation, to_department: Department, kind: str, filed_on: dt.date,
                  doc_number: str, note: str = "") -> Filing:
    """The published rule filed with, or copied to, the DRC (报发展改革部门备案/抄送) or the supervising department."""
    solicitation = (Solicitation.objects.select_for_update(of=("self",))
                    .select_related("initiator", "mechanism").get(pk=solicitation.pk))
    require_member(actor, solicitation.initiator, "报送备案或抄送")
    if solicitation.status != Solicitation.Status.FINAL:
        raise Conflict("定稿并发布后才能报送备案或抄送")
    errors: dict[str, list[str]] = {}
    if kind not in Filing.Kind.values:
        errors["kind"] = ["请选择报备案或抄送"]
    if not isinstance(to_department, Department):
        errors["to_department"] = ["请选择备案或抄送的单位"]
    elif to_department == solicitation.initiator:
        errors["to_department"] = ["不能报送起草单位本身"]
    if _date(errors, "filed_on", "报送日期", filed_on):
        if filed_on > timezone.localdate():
            errors["filed_on"] = ["报送日期不能晚于今天"]
        elif filed_on < local_date(solicitation.finalised_at):
            errors["filed_on"] = ["报送日期不能早于定稿日期"]
    doc_number = _text(errors, "doc_number", "发布文号", doc_number, limit=64)
    note = _text(errors, "note", "说明", note, limit=255, required=False)
    _raise("备案信息有误：", errors)
    if solicitation.filings.filter(to_department=to_department, kind=kind).exists():
        raise Conflict(f"已记录向{to_department.name}{Filing.Kind(kind).label}",
                       field_errors={"to_department": ["重复"]})
    filing = Filing.objects.create(solicitation=solicitation, kind=kind, to_department=to_department,
                                   filed_on=filed_on, doc_number=doc_number, note=note, created_by=actor)
    record(actor=actor, obj=solicitation, action="consultation.filed",
           after={"kind": kind, "department": to_department.code, "receiver_name": to_department.name,
                  "doc_number": doc_number, "filed_on": filed_on})
    _notify(to_department, "consultation_filing",
            f"{solicitation.initiator.display_name}{Filing.Kind(kind).label}：《{solicitation.title}》",
            f"发布文号 {doc_number}。", solicitation.get_absolute_url())
    return filing


def acting_departments(actor, mechanism: Mechanism) -> list[Department]:
    """The member units the actor may act for in this mechanism."""
    mine = {d.id for d in user_departments(actor)}
    return [m.department for m in mechanism.members.select_related("department") if m.department_id in mine]


# --- files: meeting materials and minutes, draft rules for comment (casework.attachments) ----------------------
def _store_files(*, actor, owner, purpose: str, department: Department, uploads, parties, basis: str) -> list:
    from casework.attachments import services as attachments

    checked = [attachments.check(u, field="files") for u in uploads or []]
    if not checked:
        raise DomainError.for_field("files", "请选择要上传的文件")
    files = [attachments.store(actor=actor, owner=owner, purpose=purpose, department=department, checked=info,
                               share_with=parties, basis=basis)[0] for info in checked]
    return list(dict.fromkeys(files))


@transaction.atomic
def add_meeting_files(*, actor, meeting: Meeting, department: Department, uploads,
                      purpose: str = "meeting") -> list:
    """Meeting materials (会议材料) or the signed minutes' scan (会议纪要) uploaded by the convener or an invited
    unit: every unit of the meeting may open them (exactly the parties: others get 404)."""
    from casework.attachments.models import Attachment

    meeting = _locked_meeting(meeting)
    require_member(actor, department, "上传会议材料")
    if purpose not in (Attachment.Purpose.MEETING, Attachment.Purpose.MINUTES):
        raise DomainError.for_field("purpose", "请选择会议材料或会议纪要")
    parties = [meeting.convener, *[i.department for i in meeting.invitations.select_related("department")]]
    if department not in parties:
        raise Forbidden("只有召集单位和受邀单位可以上传会议材料", field_errors={"department": ["不是参会单位"]})
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict("会议已取消，不能再上传材料")
    if purpose == Attachment.Purpose.MINUTES and department != meeting.convener:
        raise Forbidden("会议纪要由召集单位上传")
    files = _store_files(actor=actor, owner=meeting, purpose=purpose, department=department, uploads=uploads,
                         parties=parties, basis=f"会议：{meeting}")
    record(actor=actor, obj=meeting, action="consultation.files_added",
           after={"department": department.name, "purpose": purpose, "files": [a.name for a in files]})
    return files


@transaction.atomic
def add_draft_files(*, actor, solicitation: Solicitation, uploads) -> list:
    """The draft rules (征求意见稿) and their explanation, uploaded by the drafting unit: each unit asked for
    comments may open them."""
    from casework.attachments.models import Attachment

    solicitation = Solicitation.objects.select_for_update(of=("self",)).get(pk=solicitation.pk)
    require_member(actor, solicitation.initiator, "上传征求意见稿")
    if solicitation.status != Solicitation.Status.OPEN:
        raise Conflict("征求意见已结束，不能再上传征求意见稿")
    parties = [r.department for r in solicitation.replies.select_related("department")]
    files = _store_files(actor=actor, owner=solicitation, purpose=Attachment.Purpose.DRAFT,
                         department=solicitation.initiator, uploads=uploads, parties=parties,
                         basis=f"征求意见：{solicitation}")
    record(actor=actor, obj=solicitation, action="consultation.draft_files_added",
           after={"files": [a.name for a in files]})
    return files
