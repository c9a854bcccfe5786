"""In-app inbox and e-mail. Notifications are rows written in the same transaction as the
step that caused them (the outbox); e-mail is sent after commit by a Celery task and, for whatever that task
never sent (broker down, worker killed mid-batch), by the beat sweep. A row is claimed for claim_lease() before
it is sent, so two workers never send it together, and a claim left by a dead worker expires. Each message
carries Message-ID <notification-ID@...>, so a resend after a crash between sending and recording is recognised."""

from __future__ import annotations

import datetime as dt
import logging
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from casework.errors import NotFound
from casework.notifications.models import Notification
from casework.outbox import dispatch_on_commit

log = logging.getLogger(__name__)


BODY_LIMIT = 140


def short(text: str, limit: int = BODY_LIMIT) -> str:
    """A notice is a title and one line: the case page holds the rest (a clue's 19,000 characters never go
    into an inbox or an e-mail)."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


class NewNotice(NamedTuple):
    """A notice to write, as plain values: what the sweep builds by the thousand instead of model instances."""

    recipient_id: int
    kind: str
    title: str
    body: str
    url: str
    clock_id: int | None
    created_at: dt.datetime


def _masker():
    """Title and body masked and shortened, once per distinct text: a sweep tells several people the same thing.
    Personal data masked by default: an inbox row and an e-mail are no identity read."""
    from casework.privacy import mask_text

    masked: dict[tuple[str, str], tuple[str, str]] = {}

    def mask(title: str, body: str) -> tuple[str, str]:
        key = (title, body)
        if key not in masked:
            masked[key] = short(mask_text(title), 200), short(mask_text(body))
        return masked[key]

    return mask


def _email_after_commit(ids: list[int]) -> None:
    from casework.tasks import send_notification_emails

    for i in range(0, len(ids), 500):
        dispatch_on_commit(send_notification_emails, ids[i:i + 500])


def create_many(notifications: list[Notification]) -> list[Notification]:
    if not notifications:
        return []
    mask = _masker()
    for note in notifications:
        note.title, note.body = mask(note.title, note.body)
    from casework import bulk

    created = bulk.insert(Notification, notifications, with_ids=True)  # COPY for a sweep's hundreds
    _email_after_commit([n.pk for n in created])
    return created


def create_rows(rows: list[NewNotice]) -> list[int]:
    """The same as create_many (masked, inserted, e-mailed after commit) for rows of plain values; returns ids."""
    if not rows:
        return []
    mask = _masker()
    from casework import bulk

    masked = []
    for row in rows:
        title, body = mask(row.title, row.body)
        masked.append(row._replace(title=title, body=body))
    ids = bulk.insert_rows(Notification, NewNotice._fields, masked, with_ids=True)
    _email_after_commit(ids)
    return ids


SWEEP_BATCH = 500


def claim_lease() -> dt.timedelta:
    """How long a claim protects a row being sent; a claim older than this was left by a dead worker."""
    return dt.timedelta(seconds=getattr(settings, "PORTAL_EMAIL_CLAIM_LEASE_SECONDS", 300))


def _claimable(now) -> Q:
    return Q(emailed_at__isnull=True) & (Q(email_claimed_at__isnull=True)
                                         | Q(email_claimed_at__lt=now - claim_lease()))


# Sent at once whatever the person chose: a deadline reached or breached (clock notices), 督办, circulars,
# escalations and returns. Everything else may wait for the daily digest.
URGENT_KINDS = ("supervision_notice", "circular", "consultation_escalation", "jurisdiction_dispute")


def urgent_q() -> Q:
    return Q(kind__in=URGENT_KINDS) | Q(kind__endswith="_returned") | Q(clock__isnull=False)


def held_for_digest_q() -> Q:
    """Routine notices of people who chose the daily digest: not e-mailed one by one."""
    from casework.notifications.models import NoticeSetting

    return Q(recipient__notice_setting__email_mode=NoticeSetting.Mode.DIGEST) & ~urgent_q()


def message_id(note: Notification) -> str:
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal.invalid"
    return f"<notification-{note.pk}@{host}>"


def send_emails(ids: list[int]) -> int:
    """Send each listed notification's e-mail once: a row is claimed (a lease) before it is sent and marked
    sent after. A failure releases the claim and the others go on; the sweep retries later."""
    sent, failed = 0, 0
    for note in (Notification.objects.filter(pk__in=ids).filter(_claimable(timezone.now()))
                 .exclude(held_for_digest_q()).select_related("recipient")):
        now = timezone.now()
        claimed = Notification.objects.filter(pk=note.pk).filter(_claimable(now)).update(email_claimed_at=now)
        if claimed != 1 or not note.recipient.email:
            continue
        try:
            EmailMessage(note.title, f"{note.body}\n\n{settings.PORTAL_BASE_URL}{note.url}", None,
                         [note.recipient.email], headers={"Message-ID": message_id(note)}).send()
        except Exception:
            log.warning("e-mail for notification %s failed; released for the sweep", note.pk, exc_info=True)
            Notification.objects.filter(pk=note.pk).update(email_claimed_at=None)
            failed += 1
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    if failed and not sent:
        raise RuntimeError(f"{failed} 封通知邮件发送失败")  # the task retries with back-off
    return sent


def unsent_email_ids(limit: int = SWEEP_BATCH) -> list[int]:
    """Notifications whose e-mail is still owed: never sent, and not claimed (or claimed by a dead worker)."""
    return list(Notification.objects.filter(_claimable(timezone.now())).exclude(recipient__email="")
                .exclude(held_for_digest_q()).order_by("pk").values_list("pk", flat=True)[:limit])


DIGEST_MAX_LINES = 50


def send_digests() -> int:
    """Beat, once a day: one e-mail per person who chose the digest, listing the routine notices not yet
    e-mailed (title and link, 50 at most; the inbox has the rest). Rows are claimed first, so two runs never send
    the same notice twice; a failure releases the claim for the next run. Returns the number of e-mails sent."""
    from django.contrib.auth import get_user_model

    sent = 0
    users = (get_user_model().objects.filter(notice_setting__email_mode="digest", is_active=True)
             .exclude(email="").order_by("pk"))
    for user in users:
        now = timezone.now()
        ids = list(Notification.objects.filter(recipient=user).filter(_claimable(now)).filter(held_for_digest_q())
                   .order_by("created_at", "pk").values_list("pk", flat=True))
        if not ids:
            continue
        Notification.objects.filter(pk__in=ids).filter(_claimable(now)).update(email_claimed_at=now)
        notes = list(Notification.objects.filter(pk__in=ids, email_claimed_at=now).order_by("created_at", "pk"))
        if not notes:
            continue
        lines = [f"· {n.title}\n  {settings.PORTAL_BASE_URL}{n.url}" if n.url else f"· {n.title}"
                 for n in notes[:DIGEST_MAX_LINES]]
        if len(notes) > DIGEST_MAX_LINES:
            more = len(notes) - DIGEST_MAX_LINES
            lines.append(f"……另有 {more} 条，请到站内消息查看：{settings.PORTAL_BASE_URL}/inbox/")
        subject = f"协同监管平台每日汇总：{len(notes)} 条新消息"
        try:
            EmailMessage(subject, "\n".join(lines), None, [user.email]).send()
        except Exception:
            log.warning("digest for user %s failed; released for the next run", user.pk, exc_info=True)
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(email_claimed_at=None)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
        sent += 1
    return sent


def set_email_mode(*, actor, mode: str):
    from casework.errors import DomainError
    from casework.notifications.models import NoticeSetting

    if mode not in NoticeSetting.Mode.values:
        raise DomainError.for_field("email_mode", "请选择“逐条即时发送”或“每日汇总一封”")
    setting, _ = NoticeSetting.objects.update_or_create(user=actor, defaults={"email_mode": mode})
    return setting


def sweep_emails() -> int:
    """Beat: send every owed e-mail, a batch at a time."""
    sent = 0
    for _ in range(20):
        ids = unsent_email_ids()
        if not ids:
            break
        try:
            sent += send_emails(ids)
        except RuntimeError:
            break  # the mail server is down: try again at the next sweep
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
