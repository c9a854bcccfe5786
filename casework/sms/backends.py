"""SMS providers behind one small interface. The default backend only logs (no real SMS service here);
a real provider implements `send(phone, text) -> provider_id` and is named in settings.PORTAL_SMS_BACKEND."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("portal.sms")


class SmsBackend:
    def send(self, phone: str, text: str) -> str:  # returns the provider's message id
        raise NotImplementedError


class LoggingBackend(SmsBackend):
    """Writes each message to the log, the number masked."""

    def send(self, phone: str, text: str) -> str:
        from casework.privacy import mask_phone

        message_id = f"log-{uuid.uuid4().hex[:12]}"
        log.info("SMS %s to %s: %s", message_id, mask_phone(phone), text)
        return message_id


class MemoryBackend(SmsBackend):
    """For tests: keeps what was sent in `MemoryBackend.outbox`."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        MemoryBackend.outbox.append((phone, text))
        return f"mem-{len(MemoryBackend.outbox)}"


def get_backend() -> SmsBackend:
    return import_string(getattr(settings, "PORTAL_SMS_BACKEND", "casework.sms.backends.LoggingBackend"))()
