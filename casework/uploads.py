"""Evidence uploads, checked once for every mechanism: type, size, and the SHA-256 they are kept under."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from casework.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
TYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip", ".txt": "text/plain", ".csv": "text/csv",
}


@dataclass(frozen=True)
class Checked:
    name: str
    ext: str
    size: int
    sha256: str
    content_type: str


def check_upload(upload, field: str = "file") -> Checked:
    """Refuse what may not be kept (naming `field`); hash what may. The upload is rewound for saving."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in TYPES:
        raise DomainError.for_field(field, f"不支持的文件类型“{ext or '无扩展名'}”；允许：{', '.join(sorted(TYPES))}")
    if upload.size > MAX_BYTES:
        raise DomainError.for_field(field, f"文件“{name}”过大（{upload.size:,} 字节），单个文件不超过 20 MB")
    if upload.size == 0:
        raise DomainError.for_field(field, f"文件“{name}”为空")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Checked(name, ext, upload.size, digest.hexdigest(), TYPES[ext])
