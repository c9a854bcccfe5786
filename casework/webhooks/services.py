"""Signed status callbacks to other government systems, retried with back-off, never lost.

Each POST carries the JSON body and these headers:
  X-Portal-Event: the event name, e.g. clue.transferred
  X-Portal-Delivery: the delivery id (repeats on retry: receivers deduplicate with it)
  X-Portal-Timestamp: seconds since the epoch
  X-Portal-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret>
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from casework.webhooks.models import WebhookDelivery

MAX_ATTEMPTS = 12
TIMEOUT_SECONDS = 10


def new_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min ... capped at 6 h."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def enqueue(*, subject, url: str, secret: str, event: str, payload: dict) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk), url=url,
        secret=secret, event=event, payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        next_attempt_at=timezone.now())

    def dispatch():
        from casework.tasks import deliver_webhook

        deliver_webhook.delay(delivery.pk)

    transaction.on_commit(dispatch)
    return delivery


def deliver(delivery_id: int) -> bool:
    """Try one delivery. True when delivered (now or before). Concurrent attempts skip it."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=delivery_id, delivered_at__isnull=True).first())
        if delivery is None:
            return WebhookDelivery.objects.filter(pk=delivery_id, delivered_at__isnull=False).exists()
        body = json.dumps({"event": delivery.event, "delivery": delivery.pk, **delivery.payload},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        timestamp = str(int(time.time()))
        request = urllib.request.Request(delivery.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-Portal-Event": delivery.event,
            "X-Portal-Delivery": str(delivery.pk), "X-Portal-Timestamp": timestamp,
            "X-Portal-Signature": sign(delivery.secret, timestamp, body), "User-Agent": "supervision-portal"})
        delivery.attempts += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (http/https only)
                delivery.last_status = response.status
                delivery.receipt = response.read(2000).decode("utf-8", "replace").strip()[:500]
            delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = timezone.now(), None, ""
        except urllib.error.HTTPError as exc:
            delivery.last_status, delivery.last_error = exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            delivery.last_status, delivery.last_error = None, str(getattr(exc, "reason", exc))[:500]
        if delivery.delivered_at is None:
            delivery.next_attempt_at = (timezone.now() + backoff(delivery.attempts)
                                        if delivery.attempts < MAX_ATTEMPTS else None)
        delivery.save(update_fields=["attempts", "last_status", "last_error", "delivered_at", "next_attempt_at",
                                      "receipt"])
        return delivery.delivered_at is not None


def due_deliveries(now=None) -> list[int]:
    """Undelivered callbacks whose next attempt has come (the beat sweep re-dispatches them)."""
    now = now or timezone.now()
    return list(WebhookDelivery.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:500])
