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

# the upload folders swept (casework.Attachment, casework.Letter, supervision.QuarterlyReport, casework.ExportJob); a
# file is kept when any FileField of any model names it
FOLDERS = ("attachments", "letters", "reports", "exports")


def _file_fields():
    """Every FileField of every installed model: a file any of them names is never an orphan, whichever folder
    it lives in (a model added later is covered without touching this module)."""
    from django.apps import apps
    from django.db import models

    for Model in apps.get_models():
        for f in Model._meta.get_fields():
            if isinstance(f, models.FileField) and f.concrete:
                yield Model, f.name


def _referenced() -> set[str]:
    names: set[str] = set()
    for Model, field in _file_fields():
        names.update(n for n in Model._base_manager.exclude(**{field: ""}).values_list(field, flat=True).iterator()
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
    for Model, field in _file_fields():
        if Model._base_manager.filter(**{field: name}).exists():
            return {name}
    return set()
