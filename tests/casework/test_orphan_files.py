"""A file written to storage inside a transaction that rolls back stays behind (storage is not transactional); the
beat sweep removes it once past the grace period, and never a file a record refers to or a recent one."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from casework.attachments import services as attachments
from casework.attachments.models import Attachment
from casework.attachments.orphans import sweep_orphan_files
from casework.letters.models import Letter
from casework.letters.services import issue_letter
from tests.test_permission_matrix import MINI_PDF


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Boom(Exception):
    pass


def test_rolled_back_files_are_swept_after_the_grace_period(bob, luoyang, media, settings):
    housing = luoyang["housing"]
    kept, _ = attachments.store(actor=bob, owner=housing, purpose="evidence", department=housing,
                                upload=SimpleUploadedFile("保留.pdf", MINI_PDF))
    with pytest.raises(Boom), transaction.atomic():
        lost, _ = attachments.store(actor=bob, owner=housing, purpose="evidence", department=housing,
                                    upload=SimpleUploadedFile("回滚.pdf", MINI_PDF + b"%rolled back\n"))
        letter = issue_letter(actor=bob, issuer=housing, kind=Letter.Kind.GENERIC, title="关于回滚的函",
                              body=["本函所在的事务随后回滚。"], subject=housing, addressee=luoyang["drc"])
        raise Boom
    orphans = {lost.file.name, letter.file.name}
    assert not Attachment.objects.filter(pk=lost.pk).exists() and not Letter.objects.exists()
    assert all(default_storage.exists(n) for n in orphans)  # left behind by the rollback

    assert sweep_orphan_files() == []  # within the grace period (a transaction may still be running)
    later = timezone.now() + dt.timedelta(hours=settings.PORTAL_ORPHAN_GRACE_HOURS, minutes=1)
    assert set(sweep_orphan_files(now=later)) == orphans
    assert not any(default_storage.exists(n) for n in orphans)
    assert default_storage.exists(kept.file.name) and attachments.read_bytes(kept) == MINI_PDF
    assert sweep_orphan_files(now=later) == []


def test_the_beat_schedule_runs_the_sweep(settings):
    from casework import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["orphan-files"]
    assert entry["task"] == tasks.sweep_orphan_files.name


def test_every_file_field_protects_its_files():
    """A file named by any FileField of any model is never swept, so a model added later cannot lose its files."""
    from casework.attachments.orphans import _file_fields

    fields = {(m._meta.label, f) for m, f in _file_fields()}
    assert {("casework.Attachment", "file"), ("casework.Letter", "file"),
            ("supervision.QuarterlyReport", "xlsx")} <= fields
