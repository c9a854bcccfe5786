"""Fault test: a real worker is killed (SIGKILL) in the middle of an e-mail batch while the broker is refusing new
tasks; after a worker and beat come back, every notice is e-mailed exactly once (counted by Message-ID in the
files the worker wrote) and every callback is delivered once (counted by delivery id at the receiver)."""

import email
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from casework.notifications.models import Notification
from casework.webhooks.models import WebhookDelivery
from tests.integration.test_celery_beat import ROOT, database_url
from tests.referrals.conftest import clue_input
from tests.referrals.test_callbacks import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTICES = 600


def start(kind, env, log):
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    args = (["worker", "--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
            if kind == "worker" else
            ["beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "--loglevel", "INFO"])
    return subprocess.Popen(celery + args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def mailed_ids(folder: Path) -> list[str]:
    ids = []
    for path in folder.glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                ids.append(email.message_from_string(chunk.strip()).get("Message-ID"))
    return [i for i in ids if i]


def test_worker_killed_mid_batch_and_broker_down_lose_nothing(luoyang, alice, bob, tmp_path, monkeypatch):
    from casework import outbox
    from casework.notifications.services import create_many
    from referrals import services

    mails = tmp_path / "mail"
    mails.mkdir()
    from django.conf import settings

    # The same broker as this process (its filesystem folder, or REDIS_URL), so the worker gets the queued batch.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
           "PORTAL_VAR_DIR": str(settings.VAR_DIR), "PORTAL_TEST_EMAIL_DIR": str(mails), "PYTHONUNBUFFERED": "1",
           "EMAIL_SWEEP_INTERVAL_SECONDS": "2", "SWEEP_INTERVAL_SECONDS": "3600",
           "PORTAL_EMAIL_CLAIM_LEASE_SECONDS": "5"}  # the claim the killed worker left expires quickly
    receiver = Receiver()
    log = open(tmp_path / "celery.log", "w")
    procs = []
    try:
        # 1. A batch of notices is queued and a worker starts on it; it is killed mid-batch.
        notes = create_many([Notification(recipient=bob, kind="breach", title=f"超期：第 {i} 件", body="正文",
                                          created_at=timezone.now()) for i in range(NOTICES)])
        assert len(notes) == NOTICES  # create_many queued their e-mail task after commit
        worker = start("worker", env, log)
        procs.append(worker)
        deadline = time.monotonic() + 60
        while len(mailed_ids(mails)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert 0 < len(mailed_ids(mails)) < NOTICES, "the worker should have died mid-batch"

        # 2. The broker refuses tasks: a clue with a callback and its status change are still written.
        monkeypatch.setattr(outbox, "dispatch", lambda task, *args: False)
        clue = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url=receiver.url)).clue
        services.register_clue(actor=bob, clue=clue)
        assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() == 1

        # 3. Worker and beat come back: the sweeps finish the job.
        procs += [start("worker", env, log), start("beat", env, log)]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = not Notification.objects.filter(emailed_at__isnull=True).exists() and \
                not WebhookDelivery.objects.filter(delivered_at__isnull=True).exists()
            if done:
                break
            time.sleep(1)
        ids = mailed_ids(mails)
        owed = Notification.objects.filter(emailed_at__isnull=True).count()
        assert owed == 0, (tmp_path / "celery.log").read_text()[-3000:]
        from casework.notifications.services import message_id

        owed_ids = {message_id(n) for n in Notification.objects.exclude(recipient__email="")}
        assert len(owed_ids) > NOTICES  # the batch and the notices of the clue written with the broker down
        assert set(ids) == owed_ids
        assert len(ids) - len(set(ids)) <= 1  # at most the one message in flight when the worker died
        deliveries = [h["X-Portal-Delivery"] for h, _ in receiver.received]
        assert len(set(deliveries)) == 1 and WebhookDelivery.objects.get().delivered_at is not None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        receiver.close()
