"""The S3-compatible object store path, against moto's standalone S3 server started here in its own process
(no MinIO binary is reachable in the test environment): evidence and letters are written to the bucket, served
back byte for byte through the authorised views, and a changed object is refused. The filesystem path is the
default and is covered by every other test."""

import socket
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.letters.services import letter_bytes
from config.settings.base import s3_options
from referrals import services
from referrals.models import Matter
from tests.casework.test_attachment_checks import PDF
from tests.conftest import make_user
from tests.referrals.conftest import clue_input

BUCKET = "portal-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server():
    pytest.importorskip("moto.server")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("moto server exited at start")
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("moto server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def s3(moto_server, settings):
    import boto3

    client = boto3.client("s3", endpoint_url=moto_server, aws_access_key_id="test", aws_secret_access_key="test",
                          region_name="us-east-1")
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    settings.STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(
            bucket=BUCKET, endpoint_url=moto_server, access_key="test", secret_key="test", region="us-east-1")},
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    return client


def test_evidence_and_letters_live_in_the_object_store(s3, client, luoyang, alice, bob, erin):
    pete = make_user("pete", luoyang["police"], "handler")
    clue = services.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    from django.core.files.storage import default_storage

    assert type(default_storage._setup() or default_storage._wrapped).__name__ == "S3Storage"
    evidence, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", PDF))
    stored = s3.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert stored == PDF
    t = services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                               legal_basis="刑法第二百二十三条", materials=["线索摘要"])[0]
    letter = t.transfer_letter
    in_bucket = s3.get_object(Bucket=BUCKET, Key=letter.file.name)["Body"].read()
    assert in_bucket[:5] == b"%PDF-" and letter_bytes(letter) == in_bucket
    client.force_login(pete)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200 and response.content == PDF
    assert client.get(f"/letters/{letter.pk}.pdf").content == in_bucket
    client.force_login(erin)
    assert client.get(evidence.get_absolute_url()).status_code == 404
    # an object changed behind the portal's back is refused, not served
    s3.put_object(Bucket=BUCKET, Key=evidence.file.name, Body=PDF + b"changed")
    client.force_login(pete)
    assert client.get(evidence.get_absolute_url()).status_code == 500


def test_the_orphan_sweep_works_on_the_object_store(s3, luoyang, alice):
    """A file written to the bucket by a transaction that rolled back is removed after the grace period; a
    referenced one stays (listdir / get_modified_time / delete through django-storages)."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from casework.attachments.orphans import sweep_orphan_files

    clue = services.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    kept, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("保留.pdf", PDF))

    class Boom(Exception):
        pass

    try:
        with transaction.atomic():
            lost, _ = services.add_evidence(actor=alice, clue=clue,
                                            upload=SimpleUploadedFile("回滚.pdf", PDF + b"%x\n"))
            raise Boom
    except Boom:
        pass
    assert s3.get_object(Bucket=BUCKET, Key=lost.file.name)["Body"].read().startswith(PDF)
    assert sweep_orphan_files() == []
    later = timezone.now() + dt.timedelta(days=2)
    removed = sweep_orphan_files(now=later)  # (objects of earlier tests, whose rows are gone, go too)
    assert lost.file.name in removed and kept.file.name not in removed
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert lost.file.name not in keys and kept.file.name in keys
