"""Queue a text message in the business transaction; deliver after commit, each message claimed once."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils import timezone

from casework.outbox import dispatch_on_commit
from casework.sms.models import SmsMessage

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8


def queue_sms(*, phone: str, text: str, kind: str, obj=None) -> SmsMessage | None:
    digits = "".join(c for c in (phone or "") if c.isdigit())
    if len(digits) != 11 or not digits.startswith("1"):
        return None  # a landline or no number: nothing to text (the letter and the tracking page still tell)
    return _queue(obj, phone=digits, text=text[:500], kind=kind)


def _queue(obj, **fields) -> SmsMessage:
    """Write the notice in the caller's transaction and have it delivered after commit (swept if the task is lost)."""
    message = SmsMessage.objects.create(
        object_type=obj._meta.label_lower if obj is not None else "", object_id=str(obj.pk) if obj is not None else "",
        **fields)
    from casework.tasks import deliver_sms

    dispatch_on_commit(deliver_sms, [message.pk])
    return message


def queue_email(*, email: str, subject: str, text: str, kind: str, obj=None) -> SmsMessage | None:
    """The same outbox for an e-mail to a person outside the portal: written now, sent after commit, once."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return None  # no usable address: the letter, the tracking page and the text message still tell
    return _queue(obj, channel=SmsMessage.Channel.EMAIL, email=email, subject=subject[:200], text=text[:500],
                  kind=kind)


def _send(backend, message: SmsMessage) -> str:
    if message.channel == SmsMessage.Channel.EMAIL:
        from django.conf import settings
        from django.core.mail import EmailMessage

        host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal.invalid"
        message_id = f"<notice-{message.pk}@{host}>"  # a resend after a crash is recognisable by the receiver
        EmailMessage(message.subject, message.text, None, [message.email], headers={"Message-ID": message_id}).send()
        return message_id
    return backend.send(message.phone, message.text)


def _claimable(now) -> Q:
    return Q(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS) & (Q(claimed_at__isnull=True)
                                                                 | Q(claimed_at__lt=now - LEASE))


def deliver(ids: list[int]) -> int:
    from casework.sms.backends import get_backend

    backend, sent = get_backend(), 0
    for message in SmsMessage.objects.filter(pk__in=ids).filter(_claimable(timezone.now())):
        now = timezone.now()
        if SmsMessage.objects.filter(pk=message.pk).filter(_claimable(now)).update(claimed_at=now) != 1:
            continue
        try:
            provider_id = _send(backend, message)
        except Exception:
            log.warning("sms %s failed; released for the sweep", message.pk, exc_info=True)
            SmsMessage.objects.filter(pk=message.pk).update(claimed_at=None, attempts=message.attempts + 1)
            continue
        SmsMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), provider_id=str(provider_id)[:100],
                                                        attempts=message.attempts + 1)
        sent += 1
    return sent


def sweep() -> int:
    ids = list(SmsMessage.objects.filter(_claimable(timezone.now())).order_by("pk").values_list("pk", flat=True)[:500])
    return deliver(ids) if ids else 0
