"""Issuing official letters: the 发文字号, the PDF, its storage and its verification.

Numbering is per issuing department, kind of document and year (Asia/Shanghai), gapless and never repeated:
the (department, kind, year) LetterSequence row is locked (select_for_update) in the same transaction as the new
Letter row, so a letter that is rolled back gives its number back to the next one. A 移送回执 is a form, not a
numbered 发文: it takes the number of the 移送函 it travels with.

Locks. The only lock held to the end of the transaction is the issuer's own sequence row: recording audit events
takes no lock (they are chained after commit, see casework.events.services), so letters of different
departments never wait for each other, and a caller that recorded events first cannot deadlock with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from casework.clocks.timing import SHANGHAI
from casework.errors import DomainError, Forbidden, NotFound
from casework.events.services import record
from casework.letters import render
from casework.letters.models import Letter, LetterSequence
from casework.org.models import Department
from casework.org.selectors import scoped, user_departments

log = logging.getLogger(__name__)


class LetterIntegrityError(DomainError):
    """The stored file of an issued letter is missing or no longer matches its recorded SHA-256."""

    status = 500
    code = "letter_integrity"


def doc_number(issuer: Department, kind: str, year: int, number: int) -> str:
    """发文字号: 机关代字 + 类别字 + 〔年份〕 + 顺序号 + 号, e.g. 市住建局移〔2026〕3号 (GB/T 9704 7.2.4)."""
    abbr = issuer.doc_abbr or issuer.short_name or issuer.name
    return f"{abbr}{Letter.DOC_CHAR[kind]}〔{year}〕{number}号"


_PUNCT_RUN = re.compile(r"[。；，、]{2,}")
_AFTER_MARK = re.compile(r"([？！])[。；，]")


def tidy(text: str) -> str:
    """Where texts are joined ("理由：" + a reason that ends in 。 + "；"), the punctuation doubles: "。；", "。。",
    "。，". A run of sentence punctuation keeps its last mark (the one the joining text chose); after ？ or ！ the
    extra mark goes."""
    return _AFTER_MARK.sub(r"\1", _PUNCT_RUN.sub(lambda m: m.group(0)[-1], text))


def _paragraphs(body: Iterable[str] | str) -> list[str]:
    if isinstance(body, str):
        body = re.split(r"\n\s*\n", body)
    return [tidy(p.strip()) for p in body if p and p.strip()]


def _items(values: Iterable[str] | str | None) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return [tidy(str(v).strip()) for v in values if v and str(v).strip()]


def _validate(*, kind, title, paragraphs, addressee, addressee_name, issuer) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in Letter.Kind.values:
        errors["kind"] = [f"未知的文种：{kind}"]
    if not (title or "").strip():
        errors["title"] = ["请填写标题"]
    elif len(title.strip()) > Letter._meta.get_field("title").max_length:
        errors["title"] = ["标题过长（不超过200字）"]
    if not paragraphs:
        errors["body"] = ["请填写正文"]
    if addressee is None and not (addressee_name or "").strip() and kind not in Letter.WITHOUT_ADDRESSEE:
        errors["addressee"] = ["请指定主送单位或填写主送机关名称"]
    elif len((addressee_name or "").strip()) > Letter._meta.get_field("addressee_name").max_length:
        errors["addressee"] = ["主送机关名称过长（不超过200字）"]
    if issuer is None:
        errors["issuer"] = ["请指定发文单位"]
    if errors:
        raise DomainError("文书信息有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)


def _next_number(issuer: Department, year: int, kind: str) -> int:
    """Take the next number of (issuer, kind, year), holding the sequence row's lock until the transaction ends."""
    seq = LetterSequence.objects.select_for_update().filter(department=issuer, kind=kind, year=year).first()
    if seq is None:
        # The first letter of its kind this year: create the row. Two transactions may race here; the unique
        # constraint lets one win, the other's savepoint rolls back and it re-reads (and waits on) the row.
        try:
            with transaction.atomic():
                LetterSequence.objects.create(department=issuer, kind=kind, year=year, last_number=0)
        except IntegrityError:
            pass
        seq = LetterSequence.objects.select_for_update().get(department=issuer, kind=kind, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return seq.last_number


def _storage_name(letter: Letter, digest: str) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", letter.issuer.code).strip("-") or f"dept{letter.issuer_id}"
    kind = re.sub(r"[^a-z_]+", "", letter.kind)
    return f"letters/{letter.year}/{code}-{kind}-{letter.year}-{letter.number:04d}-{digest[:12]}.pdf"


def _store(name: str, data: bytes, digest: str) -> tuple[str, bool]:
    """Save the bytes; returns (stored name, whether this call wrote a new file)."""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as fh:
            if hashlib.sha256(fh.read()).hexdigest() == digest:
                return name, False  # the same bytes are already there (an earlier, rolled-back attempt)
    return default_storage.save(name, ContentFile(data)), True


def issue_letter(*, actor, issuer: Department, kind: str, title: str, body: list[str] | str, subject,
                 addressee: Department | None = None, addressee_name: str = "", materials: Iterable[str] = (),
                 cc: Iterable[str] = (), issued_at: dt.datetime | None = None,
                 reasons: Iterable[str] | str = (), restricted_to_perm: str = "",
                 readers: Iterable[Department] = (), attachments: Iterable = (),
                 accompanies: Letter | None = None, co_issuers: Iterable[Department] = (),
                 signed_by=None) -> Letter:
    """Number, render, store and record an official letter. `reasons` (退回理由) are set out in their own
    section of a return letter. The actor must belong to the issuing department (None: the system).
    `restricted_to_perm`: a letter carrying confidential identity (a complainant's) opens only for staff
    holding that permission, and its addressee is not written into the audit trail. `readers`: other departments
    that may open it (those copied, the units at a meeting). `attachments`: stored files (casework.attachments) that
    travel with the letter: listed in its 附件 by name and size, and opened by its addressee and readers.
    `accompanies`: for a form (a 移送回执), the numbered letter it travels with; the form takes no number of its own.
    `co_issuers`: the other organs of a joint publication (联合发布): each signs the document after the issuer.
    `signed_by`: the leader who signed the letter off earlier (签发人, recorded as `issued_by` and printed on a 上行文)
    when someone else issues it; by default the actor is the 签发人 (casework.letters.signoff signs and issues at
    once)."""
    paragraphs = _paragraphs(body or [])
    if not restricted_to_perm and subject is not None:
        # A letter to another organ or to the public carries no personal data that its free text happened to hold
        # (a reporter's phone in a clue's summary, an ID number in findings): masked by the one masking service.
        # A letter that must carry identity is restricted to the permitted staff instead.
        from casework.privacy import mask_for

        paragraphs = [mask_for(subject, p) for p in paragraphs]
        reasons = [mask_for(subject, r) for r in ([reasons] if isinstance(reasons, str) else reasons or ())]
    _validate(kind=kind, title=title, paragraphs=paragraphs, addressee=addressee, addressee_name=addressee_name,
              issuer=issuer)
    if subject is None or getattr(subject, "pk", None) is None:
        raise DomainError.for_field("subject", "文书须关联一个已保存的事项")
    if actor is not None and issuer not in user_departments(actor):
        raise Forbidden("只能以本单位名义签发文书", field_errors={"issuer": ["不是本单位"]})
    issued_at = issued_at or timezone.now()
    if timezone.is_naive(issued_at):
        raise DomainError.for_field("issued_at", "成文时间须带时区")
    year = issued_at.astimezone(SHANGHAI).year
    attachments = list(dict.fromkeys(a for a in attachments or () if a is not None))
    materials = _items(materials)
    materials += [a.material_line for a in attachments if a.material_line not in materials]

    if kind in Letter.FORMS:
        if accompanies is None or accompanies.pk is None or accompanies.issuer_id != issuer.pk:
            raise DomainError.for_field("accompanies", "回执须随本单位签发的移送函一同制发")
        year = accompanies.year

    with transaction.atomic():
        if kind in Letter.FORMS:
            number, number_text = accompanies.number, f"{accompanies.doc_number}·{Letter.Kind(kind).label}"
        else:
            number = _next_number(issuer, year, kind)
            number_text = doc_number(issuer, kind, year, number)
        letter = Letter(
            issuer=issuer, addressee=addressee, addressee_name=(addressee_name or "").strip(), kind=kind,
            year=year, number=number, doc_number=number_text, title=title.strip(),
            body="\n\n".join(paragraphs), reasons=_items(reasons), materials=materials, cc=_items(cc),
            issued_at=issued_at, issued_by=signed_by or actor, restricted_to_perm=restricted_to_perm,
            subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
        )
        letter.co_issuers = [d for d in co_issuers or () if d is not None and d != issuer]
        data = render.render_pdf(letter, subject)
        digest = hashlib.sha256(data).hexdigest()
        name, wrote = _store(_storage_name(letter, digest), data, digest)
        try:
            letter.file.name, letter.sha256, letter.size = name, digest, len(data)
            letter.save()
            if letter.co_issuers:
                letter.joint_issuers.set(letter.co_issuers)
            readers = list(readers or ())
            if readers:
                letter.readers.set(readers)
            if attachments:
                from casework.attachments.services import share

                letter.attachments.set(attachments)
                share(attachments=attachments, departments=[addressee, *readers],
                      basis=f"{letter.get_kind_display()} {letter.doc_number}")
            record(actor=actor, obj=letter, action="letter.issued", after={
                "doc_number": letter.doc_number, "kind": kind, "title": letter.title, "sha256": digest,
                "addressee": "（保密）" if restricted_to_perm else letter.addressee_display,
            })
        except BaseException:
            if wrote:
                default_storage.delete(name)
            raise
    return letter


def letter_bytes(letter: Letter) -> bytes:
    """The stored PDF, verified against the SHA-256 recorded when the letter was issued."""
    try:
        with default_storage.open(letter.file.name, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError) as exc:
        log.error("letter %s: stored file %s is missing", letter.doc_number, letter.file.name)
        raise LetterIntegrityError(f"文书 {letter.doc_number} 的存档文件缺失，请联系系统管理员。") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != letter.sha256 or len(data) != letter.size:
        log.error("letter %s: stored file %s fails verification (sha256 %s, recorded %s)",
                  letter.doc_number, letter.file.name, digest, letter.sha256)
        raise LetterIntegrityError(
            f"文书 {letter.doc_number} 的存档文件与签发时记录的 SHA-256 不符，可能已被篡改，已拒绝提供。"
            "请联系系统管理员核查。")
    return data


def visible_letters(user) -> QuerySet:
    """Letters my departments issued or received; a supervisor's, those of the jurisdictions overseen."""
    from django.db.models import Q

    mine = scoped(user, Letter.objects.all(), department_fields=("issuer", "addressee")).values("pk")
    distributed = Q(readers__in=[d.pk for d in user_departments(user)]) if user.is_authenticated else Q(pk__in=[])
    ids = Letter.objects.filter(Q(pk__in=mine) | distributed).values("pk")
    return Letter.objects.select_related("issuer", "addressee").filter(pk__in=ids)


def may_open(user, letter: Letter) -> bool:
    """A letter that carries a protected identity (a complainant's) opens only for the handling department's
    cleared staff (casework.privacy.may_see_identity); any other letter for whoever may see it."""
    from casework import privacy

    if not letter.restricted_to_perm:
        return True
    # The permission first: it is read once per request, the identity rule reads the case's handling department.
    return privacy.holds_perm(user, letter.restricted_to_perm) and privacy.may_see_identity(user, letter)


def readable_ids(user, letters) -> set[int]:
    """Which of `letters` the user may open (one query), so a page shows only links that will open."""
    letters = list(letters)
    ids = [x.pk for x in letters]
    visible = set(visible_letters(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return {x.pk for x in letters if x.pk in visible and may_open(user, x)}


def get_letter(user, pk) -> Letter:
    """A letter the user may open; NotFound (404) for one they may not know exists or may not read. Opening
    a letter that carries a protected identity is recorded in the audit trail."""
    from casework import privacy

    letter = visible_letters(user).filter(pk=pk).first()
    if letter is None or not may_open(user, letter):
        raise NotFound("未找到该文书。")
    if letter.restricted_to_perm:
        privacy.reveal(user, letter, where="letter_pdf")
    return letter
