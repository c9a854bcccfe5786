"""In-app inbox and e-mail. Notifications are rows written in the same transaction as the
step that caused them; e-mail is sent after commit by a Celery task, claimed once per row."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from casework.errors import NotFound
from casework.notifications.models import Notification

log = logging.getLogger(__name__)


BODY_LIMIT = 140


def short(text: str, limit: int = BODY_LIMIT) -> str:
    """A notice is a title and one line: the case page holds the rest (a clue's 19,000 characters never go
    into an inbox or an e-mail)."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def create_many(notifications: list[Notification]) -> list[Notification]:
    if not notifications:
        return []
    from casework.privacy import mask_text

    for note in notifications:  # personal data masked by default: an inbox row and an e-mail are no identity read
        note.title, note.body = short(mask_text(note.title), 200), short(mask_text(note.body))
    created = Notification.objects.bulk_create(notifications)  # PostgreSQL/SQLite return ids
    ids = [n.pk for n in created]

    def enqueue():
        from casework.tasks import send_notification_emails

        for i in range(0, len(ids), 500):
            send_notification_emails.delay(ids[i:i + 500])

    transaction.on_commit(enqueue)
    return created


def send_emails(ids: list[int]) -> int:
    """Send each notification's e-mail at most once: a row is claimed before it is sent."""
    sent = 0
    for note in Notification.objects.filter(pk__in=ids, email_claimed_at__isnull=True).select_related("recipient"):
        claimed = Notification.objects.filter(pk=note.pk, email_claimed_at__isnull=True).update(
            email_claimed_at=timezone.now())
        if claimed != 1 or not note.recipient.email:
            continue
        try:
            send_mail(note.title, f"{note.body}\n\n{settings.PORTAL_BASE_URL}{note.url}",
                      None, [note.recipient.email])
        except Exception:
            # Release the claim so the retried task can try again.
            Notification.objects.filter(pk=note.pk).update(email_claimed_at=None)
            raise
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def inbox(user):
    return Notification.objects.filter(recipient=user)


def mark_all_read(*, actor, notices) -> int:
    """Mark the given notices of the actor read (the inbox's current filter); returns how many changed."""
    return notices.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def mark_read(*, actor, notification_id: int) -> Notification:
    note = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if note is None:
        raise NotFound()
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


def notify_department(*, department, roles, kind: str, title: str, body: str = "", url: str = "",
                      clock=None) -> list[Notification]:
    """An inbox row (and e-mail) for every active member of `department` holding one of `roles`."""
    from casework.org.models import Membership

    users = (Membership.objects.filter(department=department, role__in=list(roles), user__is_active=True)
             .values_list("user_id", flat=True).distinct())
    now = timezone.now()
    return create_many([Notification(recipient_id=u, kind=kind, title=title, body=body, url=url, clock=clock,
                                     created_at=now) for u in users])
