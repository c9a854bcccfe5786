"""Keeping, sharing and opening attachments. Every mechanism stores its files through `store`, lets them travel
with `share` (or by listing them in a letter: casework.letters.services.issue_letter(attachments=...)), and
serves them through `open_attachment`, which verifies the bytes and records the download in the audit trail."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.attachments.models import Attachment, AttachmentShare
from casework.attachments.sniffing import Checked, check_upload
from casework.errors import DomainError
from casework.events.services import record
from casework.org.models import Department

log = logging.getLogger(__name__)


class AttachmentIntegrityError(DomainError):
    status = 500
    code = "attachment_integrity"


def _owner_label(owner) -> str:
    label = getattr(owner, "reference", None) or f"{owner._meta.model_name}{owner.pk}"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(label)).strip("-") or "file"


def check(upload, field: str = "file") -> Checked:
    return check_upload(upload, field=field)


def store(*, actor, owner, purpose: str, department: Department | None, upload=None, checked: Checked | None = None,
          share_with: Iterable[Department] = (), basis: str = "", field: str = "file") -> tuple[Attachment, bool]:
    """Keep one file of `owner` (checked from its bytes unless `checked` is given). The same bytes twice for the
    same owner and purpose are recognised, not duplicated: returns (attachment, created). Runs in the caller's
    transaction; the caller records its own business event ("clue.evidence_added"...)."""
    if owner is None or getattr(owner, "pk", None) is None:
        raise DomainError.for_field("owner", "附件须属于一个已保存的事项")
    if purpose not in Attachment.Purpose.values:
        raise DomainError.for_field("purpose", f"未知的附件用途：{purpose}")
    info = checked or check_upload(upload, field=field)
    owner_type = ContentType.objects.get_for_model(owner)
    key = {"owner_type": owner_type, "owner_id": owner.pk, "purpose": purpose, "sha256": info.sha256}
    existing = Attachment.objects.filter(**key).first()
    created = False
    if existing is None:
        now = timezone.now()
        name = f"attachments/{now:%Y}/{_owner_label(owner)}-{info.sha256[:16]}{info.ext}"
        attachment = Attachment(**key, name=info.name, content_type=info.content_type, size=info.size,
                                department=department, uploaded_by=actor, uploaded_at=now)
        try:
            with transaction.atomic():
                attachment.file.save(name, ContentFile(info.data), save=False)
                attachment.save()
            created = True
        except IntegrityError:  # the same file uploaded twice at once
            attachment.file.storage.delete(attachment.file.name)
            attachment = Attachment.objects.get(**key)
    else:
        attachment = existing
    share(attachments=[attachment], departments=share_with, basis=basis)
    return attachment, created


def share(*, attachments: Iterable[Attachment], departments: Iterable[Department], basis: str = "") -> None:
    """Let `departments` open `attachments` (they received them). Idempotent."""
    attachments = [a for a in attachments if a is not None]
    for department in {d.pk: d for d in departments if d is not None}.values():
        for attachment in attachments:
            if attachment.department_id == department.pk:
                continue
            AttachmentShare.objects.get_or_create(attachment=attachment, department=department,
                                                  defaults={"basis": basis[:200]})


def attachments_of(owner, purpose: str | None = None):
    qs = Attachment.objects.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk)
    return qs.filter(purpose=purpose) if purpose else qs


def read_bytes(attachment: Attachment) -> bytes:
    """The stored bytes, verified against the SHA-256 recorded when they were received."""
    try:
        with default_storage.open(attachment.file.name, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError) as exc:
        log.error("attachment %s: stored file %s is missing", attachment.pk, attachment.file.name)
        raise AttachmentIntegrityError(f"附件“{attachment.name}”的存档文件缺失，请联系系统管理员。") from exc
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        log.error("attachment %s: stored file %s fails its SHA-256", attachment.pk, attachment.file.name)
        raise AttachmentIntegrityError(f"附件“{attachment.name}”的存档文件与接收时记录的 SHA-256 不符，已拒绝提供。")
    return data


def open_attachment(*, actor, attachment: Attachment, channel: str = "web") -> bytes:
    """The bytes for a party that may open them (checked by the selector that found `attachment`); the download
    is recorded (who, when, through which channel) in the audit trail."""
    data = read_bytes(attachment)
    with transaction.atomic():
        record(actor=actor, obj=attachment, action="attachment.downloaded",
               after={"name": attachment.name, "sha256": attachment.sha256, "channel": channel,
                      "owner": f"{attachment.owner_type.app_label}.{attachment.owner_type.model}:"
                               f"{attachment.owner_id}"})
    return data
