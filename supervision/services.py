"""督办函 and 通报: every state change here is atomic, permission-checked and audited, and raises DomainError."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from casework.clocks import services as clock_services
from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.events.services import record
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from casework.notifications.services import notify_department
from casework.org.models import Department, Membership
from casework.org.selectors import require_member
from casework.references import numbered, placeholder
from supervision.access import scope_for
from supervision.models import SupervisionNotice

MAX_NOTICE_DAYS = 90


def _office_for(actor, office: Department) -> None:
    if office not in scope_for(actor).offices:
        raise Forbidden("只有综合监管办公室的监管人员可以督办或通报")


def _text(errors: dict, field: str, label: str, value: str, limit: int, minimum: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        errors[field] = [f"请填写{label}" if not value else f"{label}至少{minimum}个字"]
    elif len(value) > limit:
        errors[field] = [f"{label}不能超过{limit}个字"]
    return value


def _raise(errors: dict, what: str) -> None:
    if errors:
        raise DomainError(f"{what}有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)


@transaction.atomic
def issue_notice(*, actor, office: Department, department: Department, title: str, requirements: str,
                 due_on: dt.date, idempotency_key: str, about_clock: Clock | None = None,
                 subject=None) -> SupervisionNotice:
    """Issue a 督办函 to `department` with a reply date the office sets: the letter, the reply clock
    (`supervision.notice_reply`), a notice to the department's leaders and handlers, an audit event.
    The same `idempotency_key` again (double click, retry) returns the notice already issued."""
    _office_for(actor, office)
    existing = SupervisionNotice.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    scope = scope_for(actor)
    if not scope.sees(department):
        raise NotFound("未找到该单位。")
    if department == office:
        raise DomainError.for_field("department", "不能向本单位督办")
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", "督办事项", title, 200)
    requirements = _text(errors, "requirements", "督办要求", requirements, 5000, 10)
    if not isinstance(due_on, dt.date):
        errors["due_on"] = ["请填写回复期限"]
    elif due_on <= today:
        errors["due_on"] = ["回复期限须晚于今天"]
    elif due_on > today + dt.timedelta(days=MAX_NOTICE_DAYS):
        errors["due_on"] = [f"回复期限不能超过{MAX_NOTICE_DAYS}天"]
    if not (idempotency_key or "").strip() or len(idempotency_key) > 64:
        errors["idempotency_key"] = ["提交标识无效，请刷新页面后重试"]
    if about_clock is not None:
        if about_clock.department_id != department.id:
            errors["clock"] = ["督办的时限不属于该单位"]
        subject = subject or about_clock.subject
    _raise(errors, "督办函")
    now = timezone.now()
    notice = SupervisionNotice(
        reference=placeholder(), office=office, department=department, about_clock=about_clock, title=title,
        requirements=requirements, due_on=due_on, issued_at=now, issued_by=actor, idempotency_key=idempotency_key)
    if subject is not None:
        notice.subject_type, notice.subject_id = ContentType.objects.get_for_model(subject), str(subject.pk)
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:  # the same submission twice at once
        return SupervisionNotice.objects.get(idempotency_key=idempotency_key)
    notice.reference = numbered("DB", notice.pk, now)
    body = [f"{department.name}：", f"关于“{title}”，{requirements}",
            f"请于{due_on.year}年{due_on.month}月{due_on.day}日前将办理情况书面回复{office.name}（通过协同监管平台“督办函”回复）。"
            "逾期未回复的，将按规定升级督办并列入通报。"]
    if subject is not None:
        body.insert(1, f"涉及事项：{subject}。")
    notice.letter = issue_letter(actor=actor, issuer=office, kind=Letter.Kind.SUPERVISION_NOTICE,
                                 title=f"关于{title}的督办函"[:200], body=body[1:], subject=notice,
                                 addressee=department, issued_at=now)
    notice.reply_clock = clock_services.start_clock(
        actor=actor, subject=notice, rule_key="supervision.notice_reply", department=department, counterpart=office,
        started_at=now, due_on=due_on, label=f"回复督办函 {notice.reference}")
    notice.save(update_fields=["reference", "letter", "reply_clock"])
    record(actor=actor, obj=notice, action="supervision.notice_issued", after={
        "reference": notice.reference, "department": department.code, "title": title, "due_on": due_on,
        "letter": notice.letter.doc_number, "about_clock": about_clock.pk if about_clock else None})
    url = reverse("supervision:notice", args=[notice.pk])
    notify_department(department=department, roles=[Membership.Role.LEADER, Membership.Role.HANDLER],
                      kind="supervision_notice", title=f"督办函：{title}",
                      body=f"{office.name}督办，请于{due_on:%Y-%m-%d}前回复办理情况。", url=url,
                      clock=notice.reply_clock)
    return notice


@transaction.atomic
def reply_notice(*, actor, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    """The department's written reply: completes the reply clock (on time or late) and tells the office."""
    require_member(actor, notice.department, "回复督办函")
    notice = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != SupervisionNotice.State.OPEN:
        raise Conflict("该督办函已回复")
    errors: dict[str, list[str]] = {}
    reply = _text(errors, "reply", "办理情况", reply, 10000, 10)
    _raise(errors, "回复")
    now = timezone.now()
    notice.state, notice.reply, notice.replied_at, notice.replied_by = (
        SupervisionNotice.State.REPLIED, reply, now, actor)
    notice.save(update_fields=["state", "reply", "replied_at", "replied_by"])
    late = False
    if notice.reply_clock_id:
        clock = clock_services.complete_clock(actor=actor, clock=notice.reply_clock, at=now, note="已回复督办函")
        late = clock.state == Clock.State.BREACHED
    record(actor=actor, obj=notice, action="supervision.notice_replied", after={"late": late, "reply": reply[:500]})
    notify_department(department=notice.office, roles=[Membership.Role.SUPERVISOR], kind="supervision_reply",
                      title=f"督办函已回复：{notice.title}" + ("（逾期）" if late else ""),
                      body=f"{notice.department.name}于{timezone.localtime(now):%Y-%m-%d %H:%M}回复。",
                      url=reverse("supervision:notice", args=[notice.pk]))
    return notice


def visible_notices(user):
    """The office sees the notices of its jurisdiction; a department sees the notices addressed to it."""
    from django.db.models import Q

    scope = scope_for(user)
    if not user.is_authenticated:
        return SupervisionNotice.objects.none()
    from casework.org.selectors import user_departments

    mine = [d.id for d in user_departments(user)]
    q = Q(department_id__in=mine) | Q(office_id__in=mine)
    if scope.is_supervisor:
        q |= Q(department__jurisdiction_id__in=scope.jurisdiction_ids)
    return SupervisionNotice.objects.filter(q).select_related("office", "department", "letter", "reply_clock")


def get_notice(user, pk) -> SupervisionNotice:
    notice = visible_notices(user).filter(pk=pk).first()
    if notice is None:
        raise NotFound("未找到该督办函。")
    return notice
