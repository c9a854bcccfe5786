"""What a file really is, from its bytes: the extension is a claim, the content decides.

An upload is kept only when the type detected from its first bytes (`filetype`) is one the extension allows.
Archives (ZIP, and the OOXML documents that are ZIPs) are opened and refused when they would expand past
`ATTACHMENT_MAX_EXPANDED_BYTES` (a zip bomb) or hold too many members. Text files must be text. An optional
virus scanner (casework.attachments.scanning) runs last.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings

from casework.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_RATIO = 200  # a member compressing better than 200:1 is a bomb, not a document

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .xls (compound file)

# extension -> (content type we serve it as, detected types the bytes may have; None = plain text)
TYPES: dict[str, tuple[str, frozenset[str | None]]] = {
    ".pdf": ("application/pdf", frozenset({"application/pdf"})),
    ".jpg": ("image/jpeg", frozenset({"image/jpeg"})),
    ".jpeg": ("image/jpeg", frozenset({"image/jpeg"})),
    ".png": ("image/png", frozenset({"image/png"})),
    ".doc": ("application/msword", frozenset({"application/msword", "ole2"})),
    ".xls": ("application/vnd.ms-excel", frozenset({"application/vnd.ms-excel", "ole2"})),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"})),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})),
    # a ZIP may hold Office documents at top level (a .docx is a ZIP); every ZIP is opened and measured
    ".zip": ("application/zip", frozenset({
        "application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})),
    ".txt": ("text/plain; charset=utf-8", frozenset({None})),
    ".csv": ("text/csv; charset=utf-8", frozenset({None})),
}

# Shown inline in the browser; everything else is a download.
INLINE = frozenset({"application/pdf", "image/jpeg", "image/png"})

KIND_LABELS = {
    "application/x-msdownload": "Windows 可执行程序", "application/x-executable": "可执行程序（ELF）",
    "application/zip": "ZIP 压缩包", "application/pdf": "PDF 文档", "image/png": "PNG 图片",
    "image/jpeg": "JPEG 图片", "image/gif": "GIF 图片", "application/x-rar-compressed": "RAR 压缩包",
    "application/x-7z-compressed": "7z 压缩包", "text/html": "HTML 网页", "image/svg+xml": "SVG 图像",
    "ole2": "Office 97-2003 文档",
}


@dataclass(frozen=True)
class Checked:
    name: str
    ext: str
    size: int
    sha256: str
    content_type: str
    data: bytes


def _limit(setting: str, default: int) -> int:
    return int(getattr(settings, setting, default))


def _detect(head: bytes) -> str | None:
    if head.startswith(OLE2):
        return "ole2"
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    start = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") and b"<svg" in head[:4096].lower() or start.startswith(b"<svg"):
        return "image/svg+xml"
    if start.startswith((b"<!doctype html", b"<html", b"<script")):
        return "text/html"
    if start.startswith(b"#!"):
        return "application/x-executable"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _check_archive(data: bytes, name: str, field: str) -> None:
    """Refuse an archive that is corrupt or would expand past the limit (a zip bomb)."""
    limit = _limit("ATTACHMENT_MAX_EXPANDED_BYTES", MAX_EXPANDED_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > _limit("ATTACHMENT_MAX_ARCHIVE_MEMBERS", MAX_MEMBERS):
                raise DomainError.for_field(field, f"压缩文件“{name}”内含文件过多（{len(members)} 个），不予接收")
            declared = sum(m.file_size for m in members)
            if declared > limit:
                raise DomainError.for_field(
                    field, f"压缩文件“{name}”解压后达 {declared:,} 字节，超过 {limit:,} 字节的上限，"
                           "疑为压缩炸弹，不予接收")
            # The declared sizes may lie: read each member, counting what really comes out.
            total = 0
            for member in members:
                if member.is_dir():
                    continue
                if member.compress_size and member.file_size / member.compress_size > MAX_RATIO:
                    raise DomainError.for_field(
                        field, f"压缩文件“{name}”中的“{member.filename}”压缩比异常（超过 {MAX_RATIO}:1），"
                               "疑为压缩炸弹，不予接收")
                with archive.open(member) as fh:
                    while chunk := fh.read(1024 * 1024):
                        total += len(chunk)
                        if total > limit:
                            raise DomainError.for_field(
                                field, f"压缩文件“{name}”解压后超过 {limit:,} 字节的上限，疑为压缩炸弹，不予接收")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise DomainError.for_field(field, f"文件“{name}”不是完好的压缩文件，无法检查其内容") from exc


def _clean_name(raw: str) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|:*?')
    return name.strip().strip(".")[:200] or "文件"


def check_upload(upload, field: str = "file") -> Checked:
    """Refuse what may not be kept (naming `field`); hash and return the bytes of what may."""
    from casework.attachments.scanning import scan

    name = _clean_name(getattr(upload, "name", ""))
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in TYPES:
        raise DomainError.for_field(field, f"不支持的文件类型“{ext or '无扩展名'}”；允许：{', '.join(sorted(TYPES))}")
    size = getattr(upload, "size", None)
    max_bytes = _limit("ATTACHMENT_MAX_BYTES", MAX_BYTES)
    if size is not None and size > max_bytes:
        raise DomainError.for_field(
            field, f"文件“{name}”过大（{size:,} 字节），单个文件不超过 {max_bytes // 1048576} MB")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > max_bytes:
        raise DomainError.for_field(field, f"文件“{name}”过大，单个文件不超过 {max_bytes // 1048576} MB")
    if not data:
        raise DomainError.for_field(field, f"文件“{name}”为空")
    content_type, allowed = TYPES[ext]
    detected = _detect(data[:8192])
    if detected not in allowed:
        what = KIND_LABELS.get(detected, detected) if detected else "无法识别的内容"
        if None in allowed:
            what = KIND_LABELS.get(detected, detected) if detected else "二进制数据"
        raise DomainError.for_field(
            field, f"文件“{name}”的实际内容是{what}，与扩展名 {ext} 不符，不予接收；请上传真实的{ext[1:].upper()}文件")
    if None in allowed and not _is_text(data):
        raise DomainError.for_field(
            field, f"文件“{name}”不是文本文件（UTF-8 或 GB18030），与扩展名 {ext} 不符，不予接收")
    if ext in (".zip", ".docx", ".xlsx"):
        _check_archive(data, name, field)
    threat = scan(name, data)
    if threat:
        raise DomainError.for_field(field, f"文件“{name}”未通过病毒检查（{threat}），不予接收")
    return Checked(name, ext, len(data), hashlib.sha256(data).hexdigest(), content_type, data)
