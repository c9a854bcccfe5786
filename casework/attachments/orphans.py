"""Files in storage that no row refers to: the bytes of a letter or an attachment written inside a transaction that
then rolled back (a later step failed, a caller's outer transaction aborted, the process died before commit).
Storage is not transactional, so the database cannot take them back; a beat task (casework.tasks.sweep_orphan_files)
removes every file under the portal's upload folders that no FileField names and that is older than a grace period
(PORTAL_ORPHAN_GRACE_HOURS, default 24: a file of a transaction still running is never taken). Works on the
filesystem and on an S3-compatible store alike (listdir / get_modified_time / delete)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

log = logging.getLogger(__name__)

# folder -> the FileFields whose files live there (app_label.Model.field)
FOLDERS = {
    "attachments": ("casework.Attachment.file",),
    "letters": ("casework.Letter.file",),
    "reports": ("supervision.QuarterlyReport.xlsx",),
}


def _referenced() -> set[str]:
    from django.apps import apps

    names: set[str] = set()
    for fields in FOLDERS.values():
        for dotted in fields:
            app_label, model, field = dotted.split(".")
            Model = apps.get_model(app_label, model)
            names.update(n for n in Model.objects.exclude(**{field: ""}).values_list(field, flat=True).iterator()
                         if n)
    return names


def _walk(storage, path: str) -> Iterator[str]:
    try:
        dirs, files = storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return
    for name in files:
        yield f"{path}/{name}"
    for d in dirs:
        yield from _walk(storage, f"{path}/{d}")


def grace() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "PORTAL_ORPHAN_GRACE_HOURS", 24)))


def sweep_orphan_files(*, older_than: dt.timedelta | None = None, now: dt.datetime | None = None,
                       storage=None) -> list[str]:
    """Delete the unreferenced files older than the grace period; returns their names."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - (grace() if older_than is None else older_than)
    referenced = _referenced()
    removed = []
    for folder in FOLDERS:
        for name in _walk(storage, folder):
            if name in referenced:
                continue
            try:
                modified = storage.get_modified_time(name)
            except (FileNotFoundError, OSError, NotImplementedError):
                continue
            if timezone.is_naive(modified):
                modified = timezone.make_aware(modified, dt.UTC)
            if modified > cutoff:
                continue
            # a row may have been committed since the listing began: look once more before deleting
            if name in _referenced_now(name):
                continue
            storage.delete(name)
            removed.append(name)
    if removed:
        log.warning("removed %d stored file(s) no record refers to: %s", len(removed), ", ".join(removed[:20]))
    return removed


def _referenced_now(name: str) -> set[str]:
    from django.apps import apps

    for fields in FOLDERS.values():
        for dotted in fields:
            app_label, model, field = dotted.split(".")
            if apps.get_model(app_label, model).objects.filter(**{field: name}).exists():
                return {name}
    return set()
