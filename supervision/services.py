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
from supervision.models import Circular, SupervisionNotice

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


# --- 通报 ---------------------------------------------------------------------------------------
def _office_leader(actor, office: Department) -> None:
    """审核签发: the shared sign-off power (casework.letters.signoff.POWER, leaders unless the profile says else)."""
    from casework.letters.signoff import POWER
    from casework.rules.powers import has_power

    if not has_power(actor, office, POWER):
        raise Forbidden(f"只有{office.name}的负责人可以审核签发通报")


def member_units(office: Department) -> list[Department]:
    """The member units a circular goes to: the consultation mechanism's members where the jurisdiction has one,
    otherwise every active department of the jurisdiction; never the office itself."""
    from consultations.models import Member

    members = list(Department.objects.filter(
        pk__in=Member.objects.filter(mechanism__jurisdiction_id=office.jurisdiction_id).values("department_id"),
        active=True).exclude(pk=office.pk))
    if members:
        return members
    return list(Department.objects.filter(jurisdiction_id=office.jurisdiction_id, active=True).exclude(pk=office.pk))


def refresh_for_document(period) -> None:
    """A document states figures as of its drafting: bring the period's rollup up to date first (beat keeps only
    the recent days fresh)."""
    from supervision.rollup import refresh

    last = min(period.last, timezone.localdate())
    if last >= period.first and (last - period.first).days <= 400:
        refresh(period.first, last)


def draft_text(actor, office: Department, period) -> tuple[str, list[str]]:
    """The portal's draft of a 通报 for `period`: totals, each mechanism, the departments and items breached,
    the 督办函 sent and their answers, and what is required."""
    from casework.clocks.timing import start_of_day
    from casework.selectors import circular_steps
    from supervision import selectors as sel
    from supervision.templatetags.supervision_tags import pct

    scope = scope_for(actor)
    refresh_for_document(period)
    board = sel.dashboard(scope, period)
    t = board.total
    name = office.jurisdiction.name
    paras = [f"为压实公共资源交易协同监管责任，根据有关规定，现将{period.label}{name}"
             "公共资源交易协同监管事项办理情况通报如下。",
             f"一、总体情况。统计期间内，各单位共收到限时办理事项{t.received}件，办结{t.handled}件，其中按期办结"
             f"{t.on_time}件、超期办结{t.late}件，按期率{pct(t.on_time_rate)}；期末尚有{t.open}件未办结，"
             f"其中已超期{t.open_overdue}件。"]
    if board.totals:
        parts = [f"{r.mechanism_label}收件{r.received}件、办结{r.handled}件、超期办结{r.late}件、超期未办结"
                 f"{r.open_overdue}件" for r in board.totals]
        paras.append("二、各机制情况。" + "；".join(parts) + "。")
    per: dict[int, list] = {}
    for r in board.rows:
        entry = per.setdefault(r.department.id, [r.department, 0, 0])
        entry[1] += r.late
        entry[2] += r.open_overdue
    late = sorted((e for e in per.values() if e[1] or e[2]), key=lambda e: (-e[2], -e[1], e[0].code))
    if late:
        paras.append("三、超期单位。" + "；".join(f"{d.name}超期办结{a}件、超期未办结{b}件" for d, a, b in late) + "。")
    else:
        paras.append("三、超期单位。统计期间内未发现超期办结或超期未办结的事项。")
    steps = list(circular_steps(actor, since=start_of_day(period.first),
                                until=start_of_day(period.last + dt.timedelta(days=1)))[:30])
    if steps:
        from django.db.models import prefetch_related_objects

        clocks = [s.clock for s in steps]
        prefetch_related_objects(clocks, "subject")
        from casework.clocks.timing import due_date

        items = [f"{c.department.display_name}“{c.subject or c.label}”{c.label}"
                 f"（期限{due_date(c.due_at):%Y-%m-%d} 24:00，{c.get_state_display()}）" for c in clocks]
        paras.append("列入通报的超期事项：" + "；".join(items) + "。")
    notices = SupervisionNotice.objects.filter(office=office, issued_at__gte=start_of_day(period.first),
                                               issued_at__lt=start_of_day(period.last + dt.timedelta(days=1)))
    n_all = notices.count()
    n_replied = notices.filter(state=SupervisionNotice.State.REPLIED).count()
    n_overdue = notices.filter(state=SupervisionNotice.State.OPEN, reply_clock__due_at__lt=timezone.now()).count()
    paras.append(f"四、督办情况。统计期间内发出督办函{n_all}件，已回复{n_replied}件，逾期未回复{n_overdue}件。")
    paras.append("五、工作要求。各单位要高度重视，对超期事项逐项核查、限期办结，并将整改情况书面报送" + office.name
                 + "。对监管职责不履行、责任落实不到位的，将视情进行督办、通报，并向有关方面提出问责建议。")
    title = f"关于{period.label}公共资源交易协同监管事项办理情况的通报"
    return title, paras


@transaction.atomic
def draft_circular(*, actor, office: Department, period) -> Circular:
    _office_for(actor, office)
    title, paras = draft_text(actor, office, period)
    now = timezone.now()
    circular = Circular.objects.create(reference=placeholder(), office=office, period_from=period.first,
                                       period_to=period.last, title=title, body="\n\n".join(paras),
                                       drafted_by=actor, drafted_at=now)
    circular.reference = numbered("TB", circular.pk, now)
    circular.save(update_fields=["reference"])
    record(actor=actor, obj=circular, action="supervision.circular_drafted",
           after={"reference": circular.reference, "from": period.first, "to": period.last})
    return circular


def _locked_circular(circular: Circular) -> Circular:
    return Circular.objects.select_for_update().select_related("office").get(pk=circular.pk)


@transaction.atomic
def edit_circular(*, actor, circular: Circular, title: str, body: str) -> Circular:
    _office_for(actor, circular.office)
    circular = _locked_circular(circular)
    if circular.state != Circular.State.DRAFT:
        raise Conflict("通报已审核签发，不能再修改")
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", "标题", title, 200)
    body = _text(errors, "body", "正文", body, 50000, 20)
    _raise(errors, "通报")
    before = {"title": circular.title, "body_length": len(circular.body)}
    circular.title, circular.body = title, body.replace("\r\n", "\n")
    circular.save(update_fields=["title", "body"])
    record(actor=actor, obj=circular, action="supervision.circular_edited", before=before,
           after={"title": title, "body_length": len(body)})
    return circular


@transaction.atomic
def sign_circular(*, actor, circular: Circular) -> Circular:
    _office_leader(actor, circular.office)
    circular = _locked_circular(circular)
    if circular.state != Circular.State.DRAFT:
        raise Conflict("该通报已审核签发")
    circular.state, circular.signed_by, circular.signed_at = Circular.State.SIGNED, actor, timezone.now()
    circular.save(update_fields=["state", "signed_by", "signed_at"])
    record(actor=actor, obj=circular, action="supervision.circular_signed", after={"title": circular.title})
    return circular


@transaction.atomic
def issue_circular(*, actor, circular: Circular, publish: bool = False) -> Circular:
    """Issue the signed circular as a letter to every member unit: each may open it, and its leaders and liaisons
    are told in their inbox. `publish` also shows it on the public portal."""
    _office_for(actor, circular.office)
    circular = _locked_circular(circular)
    if circular.state == Circular.State.ISSUED:
        return circular  # a double click: already issued
    if circular.state != Circular.State.SIGNED:
        raise Conflict("通报须经负责人审核签发后才能印发")
    units = member_units(circular.office)
    circular.letter = issue_letter(actor=actor, issuer=circular.office, kind=Letter.Kind.CIRCULAR,
                                   title=circular.title, body=circular.body, subject=circular,
                                   addressee_name="各成员单位", readers=units, signed_by=circular.signed_by)
    circular.state, circular.published = Circular.State.ISSUED, bool(publish)
    circular.save(update_fields=["state", "letter", "published"])
    record(actor=actor, obj=circular, action="supervision.circular_issued",
           after={"letter": circular.letter.doc_number, "units": len(units), "published": circular.published})
    url = reverse("casework:letter_pdf", args=[circular.letter.pk])
    for unit in units:
        notify_department(department=unit, roles=[Membership.Role.LEADER, Membership.Role.LIAISON,
                                                  Membership.Role.HANDLER],
                          kind="circular", title=f"通报：{circular.title}", url=url,
                          body=f"{circular.office.name}印发 {circular.letter.doc_number}")
    return circular


@transaction.atomic
def refer_accountability(*, actor, circular: Circular, receiver: Department, summary: str):
    """问责建议: attach an accountability proposal to discipline organs as a referral, in one step."""
    from referrals.models import Matter
    from referrals.services import refer_matter

    _office_for(actor, circular.office)
    if receiver.type != Department.Type.DISCIPLINE:
        raise DomainError.for_field("receiver", "问责建议应移送纪检监察机关")
    if not scope_for(actor).sees(receiver):
        raise NotFound("未找到该单位。")
    clue = refer_matter(actor=actor, department=circular.office, origin=circular, project_code=circular.reference,
                        project_name=circular.title[:200], summary=summary, receivers=[receiver],
                        matter=Matter.OFFICIAL_MISCONDUCT,
                        legal_basis="平顶山 三(三)：对监管职责不履行、责任落实不到位的部门和单位，视情进行督办、通报、"
                        "向有关方面提出问责建议。", materials=[f"通报 {circular.reference}"])
    Circular.objects.filter(pk=circular.pk).update(accountability=clue)
    record(actor=actor, obj=circular, action="supervision.circular_referred",
           after={"clue": clue.reference, "receiver": receiver.code})
    return clue


def visible_circulars(user):
    """The office's circulars for its staff; an issued one for every member unit it was sent to."""
    from django.db.models import Q

    from casework.org.selectors import user_departments

    if not user.is_authenticated:
        return Circular.objects.none()
    mine = [d.id for d in user_departments(user)]
    scope = scope_for(user)
    q = Q(office_id__in=mine) | Q(state=Circular.State.ISSUED, letter__readers__in=mine)
    if scope.is_supervisor:
        q |= Q(office__jurisdiction_id__in=scope.jurisdiction_ids)
    return Circular.objects.filter(q).distinct().select_related("office", "letter", "signed_by")


def get_circular(user, pk) -> Circular:
    circular = visible_circulars(user).filter(pk=pk).first()
    if circular is None:
        raise NotFound("未找到该通报。")
    return circular
