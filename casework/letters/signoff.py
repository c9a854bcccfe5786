"""签发: letters a leader must sign off before they are issued, for every mechanism.

Where the issuing department's rule profile lists a kind in `signoff_kinds`, a handler's letter of that kind is
not issued at once: `issue_or_submit` stores it as a LetterDraft, the department's leaders find it on their
workbench and in their inbox, and a leader either signs it (`sign`: the letter is issued then, with its 文号 and
the leader as 签发人, and the mechanism's continuation runs in the same transaction) or sends it back with a
reason (`send_back`); the drafter may revise and resubmit it (`resubmit`) or withdraw it. A leader's own letter
is signed by its drafter and issued at once. Every step is audited.

A mechanism registers what happens once its letter exists under a `purpose` key:

    signoff.register("jointaction.report", _report_issued)   # fn(*, actor, letter, payload) -> None

and calls `issue_or_submit(..., purpose="jointaction.report", payload={...})`, which returns the Letter (issued
now) or the LetterDraft (waiting). The continuation must be idempotent in spirit: it runs once, after issue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from casework.errors import Conflict, DomainError, Forbidden, NotFound
from casework.events.services import record
from casework.letters.models import Letter, LetterDraft
from casework.letters.services import _items, _paragraphs, _validate, issue_letter
from casework.org.models import Department
from casework.org.selectors import user_departments
from casework.rules.powers import has_power, require_power

POWER = "letter.sign"

_CONTINUATIONS: dict[str, Callable] = {}


def register(purpose: str, fn: Callable) -> None:
    """What the mechanism does once the signed letter is issued: fn(*, actor, letter, payload)."""
    _CONTINUATIONS[purpose] = fn


def required(issuer: Department, kind: str) -> bool:
    """Whether the issuer's rule profile requires a leader's sign-off for letters of this kind."""
    from casework.rules.services import profile_for

    try:
        profile = profile_for(issuer.jurisdiction)
    except Exception:  # a department without any profile: no sign-off step
        return False
    return kind in (profile.signoff_kinds or [])


def _continue(purpose: str, *, actor, letter: Letter, payload: dict) -> None:
    if not purpose:
        return
    try:
        fn = _CONTINUATIONS[purpose]
    except KeyError:
        raise DomainError(f"未登记的签发后续办理：{purpose}") from None
    fn(actor=actor, letter=letter, payload=payload)


def _notify_leaders(draft: LetterDraft, title: str) -> None:
    from casework.notifications.services import notify_department
    from casework.rules.powers import roles_for

    notify_department(department=draft.issuer, roles=roles_for(draft.issuer, POWER), kind="letter_signoff",
                      title=title, body=f"{draft.get_kind_display()}：{draft.title}（拟稿：{draft.drafted_by}）",
                      url=draft.get_absolute_url())


def _notify_drafter(draft: LetterDraft, title: str, body: str = "", url: str = "") -> None:
    from casework.notifications.models import Notification
    from casework.notifications.services import create_many, short

    create_many([Notification(recipient=draft.drafted_by, kind="letter_signoff", title=short(title, 200),
                              body=short(body), url=url or draft.get_absolute_url(), created_at=timezone.now())])


@transaction.atomic
def issue_or_submit(*, actor, issuer: Department, kind: str, title: str, body, subject, purpose: str = "",
                    payload: dict | None = None, addressee: Department | None = None, addressee_name: str = "",
                    materials: Iterable[str] = (), cc: Iterable[str] = (),
                    readers: Iterable[Department] = ()) -> Letter | LetterDraft:
    """Issue the letter now (no sign-off required, or the actor may sign it), running the continuation; or store it
    as a draft waiting for a leader's sign-off and tell the department's leaders."""
    payload = payload or {}
    if actor is None or not required(issuer, kind) or has_power(actor, issuer, POWER):
        letter = issue_letter(actor=actor, issuer=issuer, kind=kind, title=title, body=body, subject=subject,
                              addressee=addressee, addressee_name=addressee_name, materials=materials, cc=cc,
                              readers=readers)
        _continue(purpose, actor=actor, letter=letter, payload=payload)
        return letter
    return submit(actor=actor, issuer=issuer, kind=kind, title=title, body=body, subject=subject, purpose=purpose,
                  payload=payload, addressee=addressee, addressee_name=addressee_name, materials=materials, cc=cc,
                  readers=readers)


@transaction.atomic
def submit(*, actor, issuer: Department, kind: str, title: str, body, subject, purpose: str = "",
           payload: dict | None = None, addressee: Department | None = None, addressee_name: str = "",
           materials: Iterable[str] = (), cc: Iterable[str] = (), readers: Iterable[Department] = ()) -> LetterDraft:
    """Store a letter for a leader's sign-off (报请签发)."""
    paragraphs = _paragraphs(body or [])
    _validate(kind=kind, title=title, paragraphs=paragraphs, addressee=addressee, addressee_name=addressee_name,
              issuer=issuer)
    if kind in Letter.FORMS:
        raise DomainError.for_field("kind", "回执随移送函制发，不单独签发")
    if subject is None or getattr(subject, "pk", None) is None:
        raise DomainError.for_field("subject", "文书须关联一个已保存的事项")
    if issuer not in user_departments(actor):
        raise Forbidden("只能以本单位名义拟稿", field_errors={"issuer": ["不是本单位"]})
    if purpose and purpose not in _CONTINUATIONS:
        raise DomainError(f"未登记的签发后续办理：{purpose}")
    subject_type = ContentType.objects.get_for_model(subject)
    if purpose and LetterDraft.objects.filter(subject_type=subject_type, subject_id=str(subject.pk), purpose=purpose,
                                              state=LetterDraft.State.PENDING).exists():
        raise Conflict("该文书已报请签发，请等待负责人签发或退回")
    draft = LetterDraft.objects.create(
        issuer=issuer, kind=kind, addressee=addressee, addressee_name=(addressee_name or "").strip(),
        title=title.strip(), body="\n\n".join(paragraphs), materials=_items(materials), cc=_items(cc),
        subject_type=subject_type, subject_id=str(subject.pk), purpose=purpose, payload=payload or {},
        drafted_by=actor, drafted_at=timezone.now())
    readers = [d for d in readers or () if d is not None]
    if readers:
        draft.readers.set(readers)
    record(actor=actor, obj=draft, action="letter.signoff_requested",
           after={"kind": kind, "title": draft.title, "issuer": issuer.name})
    _notify_leaders(draft, f"待签发：{draft.title}")
    return draft


def _locked(draft: LetterDraft) -> LetterDraft:
    return (LetterDraft.objects.select_for_update(of=("self",)).select_related("issuer", "addressee", "drafted_by")
            .get(pk=draft.pk))


@transaction.atomic
def sign(*, actor, draft: LetterDraft) -> Letter:
    """The leader signs the draft off: the letter is issued now (文号 taken now, gapless), the leader printed as
    签发人, and the mechanism's continuation runs. A second click finds the draft issued and is refused."""
    draft = _locked(draft)
    require_power(actor, draft.issuer, POWER)
    if draft.state != LetterDraft.State.PENDING:
        raise Conflict(f"该文稿{draft.get_state_display()}，不能签发")
    letter = issue_letter(actor=actor, issuer=draft.issuer, kind=draft.kind, title=draft.title, body=draft.body,
                          subject=draft.subject, addressee=draft.addressee, addressee_name=draft.addressee_name,
                          materials=draft.materials, cc=draft.cc, readers=list(draft.readers.all()))
    draft.state, draft.decided_by, draft.decided_at, draft.letter = (LetterDraft.State.ISSUED, actor,
                                                                     timezone.now(), letter)
    draft.save(update_fields=["state", "decided_by", "decided_at", "letter"])
    record(actor=actor, obj=draft, action="letter.signed_off",
           after={"doc_number": letter.doc_number, "title": letter.title, "drafted_by": str(draft.drafted_by)})
    _continue(draft.purpose, actor=actor, letter=letter, payload=draft.payload)
    _notify_drafter(draft, f"已签发：{letter.doc_number}", letter.title, url=letter.get_absolute_url())
    return letter


@transaction.atomic
def send_back(*, actor, draft: LetterDraft, reason: str) -> LetterDraft:
    """The leader returns the draft to its drafter with a written reason; nothing is numbered or issued."""
    draft = _locked(draft)
    require_power(actor, draft.issuer, POWER)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError.for_field("reason", "请填写退回修改的理由（不少于4个字）")
    if len(reason) > 2000:
        raise DomainError.for_field("reason", "退回理由过长（不超过2000字）")
    if draft.state != LetterDraft.State.PENDING:
        raise Conflict(f"该文稿{draft.get_state_display()}，不能退回")
    draft.state, draft.decided_by, draft.decided_at, draft.return_reason = (LetterDraft.State.RETURNED, actor,
                                                                            timezone.now(), reason)
    draft.save(update_fields=["state", "decided_by", "decided_at", "return_reason"])
    record(actor=actor, obj=draft, action="letter.signoff_returned", after={"title": draft.title, "reason": reason})
    _notify_drafter(draft, f"文稿退回修改：{draft.title}", reason)
    return draft


@transaction.atomic
def resubmit(*, actor, draft: LetterDraft, title: str, body) -> LetterDraft:
    """The drafter's department revises a returned draft and submits it again for sign-off."""
    draft = _locked(draft)
    if draft.issuer not in user_departments(actor):
        raise Forbidden("只能修改本单位的文稿")
    if draft.state != LetterDraft.State.RETURNED:
        raise Conflict(f"该文稿{draft.get_state_display()}，不能重新报请签发")
    paragraphs = _paragraphs(body or [])
    _validate(kind=draft.kind, title=title, paragraphs=paragraphs, addressee=draft.addressee,
              addressee_name=draft.addressee_name, issuer=draft.issuer)
    before = {"title": draft.title, "reason": draft.return_reason}
    draft.title, draft.body, draft.state = title.strip(), "\n\n".join(paragraphs), LetterDraft.State.PENDING
    draft.drafted_by, draft.drafted_at = actor, timezone.now()
    draft.save(update_fields=["title", "body", "state", "drafted_by", "drafted_at"])
    record(actor=actor, obj=draft, action="letter.signoff_requested", before=before, after={"title": draft.title})
    _notify_leaders(draft, f"待签发（已修改）：{draft.title}")
    return draft


@transaction.atomic
def withdraw(*, actor, draft: LetterDraft) -> LetterDraft:
    """The drafter's department withdraws a draft that was not issued."""
    draft = _locked(draft)
    if draft.issuer not in user_departments(actor):
        raise Forbidden("只能撤回本单位的文稿")
    if draft.state not in (LetterDraft.State.PENDING, LetterDraft.State.RETURNED):
        raise Conflict(f"该文稿{draft.get_state_display()}，不能撤回")
    draft.state = LetterDraft.State.WITHDRAWN
    draft.save(update_fields=["state"])
    record(actor=actor, obj=draft, action="letter.signoff_withdrawn", after={"title": draft.title})
    return draft


# reads


def visible_drafts(user) -> QuerySet:
    """Drafts of my departments, for their handlers and leaders (drafting and signing happen inside the issuing
    department; a liaison decides no case)."""
    from casework.org.models import Membership
    from casework.rules.powers import STAFF

    if not getattr(user, "is_authenticated", False):
        return LetterDraft.objects.none()
    depts = Membership.objects.filter(user=user, role__in=STAFF, department__active=True).values("department_id")
    return (LetterDraft.objects.filter(issuer__in=depts)
            .select_related("issuer", "addressee", "drafted_by", "decided_by", "letter"))


def awaiting_signoff(user) -> QuerySet:
    """What waits for this leader's signature: pending drafts of the departments where the user may sign."""
    if not getattr(user, "is_authenticated", False):
        return LetterDraft.objects.none()
    mine = [d for d in user_departments(user) if has_power(user, d, POWER)]
    return visible_drafts(user).filter(issuer__in=mine, state=LetterDraft.State.PENDING)


def get_draft(user, pk) -> LetterDraft:
    draft = visible_drafts(user).filter(pk=pk).first()
    if draft is None:
        raise NotFound("未找到该文稿。")
    return draft


def pending_for(subject, purpose: str) -> LetterDraft | None:
    """The draft of this purpose waiting for sign-off (or returned for revision) for a subject, if any."""
    return (LetterDraft.objects.filter(subject_type=ContentType.objects.get_for_model(subject),
                                       subject_id=str(subject.pk), purpose=purpose,
                                       state__in=(LetterDraft.State.PENDING, LetterDraft.State.RETURNED))
            .order_by("-drafted_at").first())
