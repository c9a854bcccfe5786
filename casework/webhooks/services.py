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
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from casework.outbox import dispatch_on_commit
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
    from casework.tasks import deliver_webhook

    dispatch_on_commit(deliver_webhook, delivery.pk)  # a broker that is down never fails the write
    return delivery


# --- Where a callback may go (SSRF) ---------------------------------------------------------------------

class TargetRefused(Exception):
    """The callback URL may not be called: not https, or an address inside the portal's own network."""


def _allowed_hosts() -> set[str]:
    hosts = {h.lower() for h in getattr(settings, "PORTAL_WEBHOOK_ALLOWED_HOSTS", [])}
    platform = getattr(settings, "CREDIT_PLATFORM_URL", "")
    if platform:  # configured by the operator, not by a caller
        hosts.add((urlsplit(platform).hostname or "").lower())
    return hosts


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified)


def url_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why `url` may not receive callbacks, or None. https is required unless PORTAL_WEBHOOK_ALLOW_HTTP; a host on
    a loopback, private, link-local or reserved address is refused unless listed in PORTAL_WEBHOOK_ALLOWED_HOSTS."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "回调地址格式不正确"
    allowed_schemes = ("https", "http") if getattr(settings, "PORTAL_WEBHOOK_ALLOW_HTTP", False) else ("https",)
    if parts.scheme not in allowed_schemes:
        return "回调地址须为 https 地址" if allowed_schemes == ("https",) else "回调地址须为 http 或 https 地址"
    host = (parts.hostname or "").lower()
    if not host:
        return "回调地址缺少主机名"
    if parts.username or parts.password:
        return "回调地址不能包含用户名或密码"
    if host in _allowed_hosts():
        return None
    try:
        addresses = [host] if _is_ip(host) else (
            [info[4][0] for info in socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)] if resolve else [])
    except (socket.gaierror, UnicodeError):
        return f"无法解析回调地址的主机名 {host}"
    if any(_internal(a.split("%")[0]) for a in addresses):
        return "回调地址不能指向本机或内网地址（如确需使用，请管理员将其加入 PORTAL_WEBHOOK_ALLOWED_HOSTS）"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer (not delivered), never followed


_opener = urllib.request.build_opener(_NoRedirect)


# --- Delivery -------------------------------------------------------------------------------------------

LEASE = dt.timedelta(seconds=TIMEOUT_SECONDS * 3)


def current_target(delivery: WebhookDelivery) -> tuple[str, str]:
    """Where the delivery goes now: the subject's current callback URL and secret when it has one (a clue whose
    callback was re-registered), otherwise the URL and secret it was queued with."""
    subject = delivery.subject
    url = getattr(subject, "callback_url", "") if subject is not None else ""
    if url:
        return url, getattr(subject, "callback_secret", "") or delivery.secret
    return delivery.url, delivery.secret


def _post(url: str, secret: str, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """One POST; (status, error, the receiver's answer kept as its receipt). Any failure of the receiver, including
    garbage answers, is an error string."""
    problem = url_problem(url)
    if problem:
        return None, problem, ""
    body = json.dumps({"event": delivery.event, "delivery": delivery.pk, **delivery.payload},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "X-Portal-Event": delivery.event,
        "X-Portal-Delivery": str(delivery.pk), "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": sign(secret, timestamp, body), "User-Agent": "supervision-portal"})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
            receipt = response.read(2000).decode("utf-8", "replace").strip()[:500]
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}" + ("（不跟随重定向）" if 300 <= exc.code < 400 else ""), ""
    except Exception as exc:  # URLError, OSError, BadStatusLine and any other garbage from the receiver
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:500], ""
    if 200 <= status < 300:
        return status, "", receipt
    return status, f"HTTP {status}", receipt


def deliver(delivery_id: int) -> bool:
    """Try one delivery. True when delivered (now or before). The row is claimed (leased) in a short transaction,
    the POST is made outside any transaction, and the outcome is recorded in another short one, so a slow
    receiver never holds a lock that portal writes wait for. Concurrent attempts skip a claimed row."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=delivery_id, delivered_at__isnull=True).first())
        if delivery is None:
            return WebhookDelivery.objects.filter(pk=delivery_id, delivered_at__isnull=False).exists()
        if delivery.next_attempt_at is None or delivery.next_attempt_at > now:
            return False  # given up, not due yet, or leased by another worker
        url, secret = current_target(delivery)
        delivery.url, delivery.secret = url, secret
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["url", "secret", "attempts", "next_attempt_at"])
    status, error, receipt = _post(url, secret, delivery)
    done = timezone.now()
    if not error:
        fields = {"delivered_at": done, "next_attempt_at": None, "last_status": status, "last_error": "",
                  "receipt": receipt}
    else:
        fields = {"last_status": status, "last_error": error[:500],
                  "next_attempt_at": done + backoff(delivery.attempts) if delivery.attempts < MAX_ATTEMPTS else None}
    WebhookDelivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(**fields)
    return not error


def due_deliveries(now=None) -> list[int]:
    """Undelivered callbacks whose next attempt (or lease) has come (the beat sweep re-dispatches them)."""
    now = now or timezone.now()
    return list(WebhookDelivery.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:500])
