"""The virus-scanner hook. Off by default: `ATTACHMENT_SCANNER` names a callable `scan(name, data) -> str | None`
(the threat's name, or None when clean), e.g. "casework.attachments.scanning.clamd_scan", which talks to
clamd's INSTREAM command at CLAMD_HOST:CLAMD_PORT (default 127.0.0.1:3310). A scanner that cannot be reached
refuses the upload (fail closed): a file nobody could check is not kept."""

from __future__ import annotations

import socket
import struct

from django.conf import settings
from django.utils.module_loading import import_string

from casework.errors import DomainError


class ScannerUnavailable(DomainError):
    status = 503
    code = "scanner_unavailable"


def scan(name: str, data: bytes) -> str | None:
    path = getattr(settings, "ATTACHMENT_SCANNER", None)
    if not path:
        return None
    scanner = import_string(path) if isinstance(path, str) else path
    return scanner(name, data)


def clamd_scan(name: str, data: bytes) -> str | None:
    host = getattr(settings, "CLAMD_HOST", "127.0.0.1")
    port = int(getattr(settings, "CLAMD_PORT", 3310))
    timeout = float(getattr(settings, "CLAMD_TIMEOUT", 30))
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for i in range(0, len(data), 65536):
                chunk = data[i:i + 65536]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as exc:
        raise ScannerUnavailable("病毒检查服务暂时不可用，文件未保存，请稍后重试") from exc
    text = reply.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("OK"):
        return None
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].removesuffix("FOUND").strip() or "FOUND"
    raise ScannerUnavailable(f"病毒检查服务返回异常（{text[:80]}），文件未保存，请稍后重试")
