"""Who may open an attachment: exactly the parties. The uploader's department, the departments it was shared
with (receivers of a transfer or letter listing it), and the supervisors of those departments' jurisdictions.
Superusers are not parties; everyone else gets a 404."""

from __future__ import annotations

from django.db.models import Q

from casework.attachments.models import Attachment
from casework.errors import NotFound
from casework.org.selectors import supervised_jurisdiction_ids, user_departments


def visible_attachments(user):
    if not getattr(user, "is_authenticated", False):
        return Attachment.objects.none()
    depts = [d.id for d in user_departments(user)]
    query = Q(department_id__in=depts) | Q(shares__department_id__in=depts)
    supervised = supervised_jurisdiction_ids(user)
    if supervised:
        query |= Q(department__jurisdiction_id__in=supervised) | Q(shares__department__jurisdiction_id__in=supervised)
    ids = Attachment.objects.filter(query).values("pk")
    return Attachment.objects.filter(pk__in=ids).select_related("owner_type", "department")


def get_attachment(user, pk) -> Attachment:
    attachment = visible_attachments(user).filter(pk=pk).first()
    if attachment is None:
        raise NotFound("未找到该文件。")
    return attachment


def visible_of(user, owner, purpose: str | None = None) -> list[Attachment]:
    """An owner's attachments the user may open, oldest first."""
    from casework.attachments.services import attachments_of

    ids = attachments_of(owner, purpose).values("pk")
    return list(visible_attachments(user).filter(pk__in=ids).order_by("uploaded_at", "id"))


def visible_of_many(user, owners, purpose: str | None = None) -> dict:
    """visible_of for a page of owners of one model, in one query: {owner pk: [attachments]}."""
    from django.contrib.contenttypes.models import ContentType

    owners = list(owners)
    if not owners:
        return {}
    result: dict = {o.pk: [] for o in owners}
    qs = visible_attachments(user).filter(owner_type=ContentType.objects.get_for_model(owners[0]),
                                          owner_id__in=[o.pk for o in owners])
    for attachment in (qs.filter(purpose=purpose) if purpose else qs).order_by("uploaded_at", "id"):
        result[attachment.owner_id].append(attachment)
    return result


def readable_attachment_ids(user, attachments) -> set[int]:
    ids = [a.pk for a in attachments]
    return set(visible_attachments(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
