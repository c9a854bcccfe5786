"""A real Celery worker and beat, as separate processes, see a due clock and escalate it.

The broker is Redis when REDIS_URL is set (CI, production) and kombu's filesystem transport
otherwise; the database is the test database itself, shared with the two processes.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from casework.clocks import services
from casework.clocks.models import Clock, EscalationStep
from casework.events.services import verify_chain
from casework.notifications.models import Notification
from tests.conftest import at

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_processes(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
           "PORTAL_VAR_DIR": str(tmp_path), "SWEEP_INTERVAL_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("worker", "beat")}
    procs = {
        "worker": subprocess.Popen(celery + ["worker", "--pool", "solo", "--without-gossip", "--without-mingle",
                                             "--loglevel", "INFO"],
                                   cwd=ROOT, env=env, stdout=logs["worker"], stderr=subprocess.STDOUT),
        "beat": subprocess.Popen(celery + ["beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                                           "--loglevel", "INFO"],
                                 cwd=ROOT, env=env, stdout=logs["beat"], stderr=subprocess.STDOUT),
    }
    yield procs, tmp_path
    for proc in procs.values():
        proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    for fh in logs.values():
        fh.close()


def test_beat_sweeps_a_due_clock_through_the_worker(luoyang, bob, carol, celery_processes):
    procs, logdir = celery_processes
    clock = services.start_clock(actor=None, subject=luoyang["housing"], rule_key="referral.return",
                                 department=luoyang["housing"], started_at=at(2026, 11, 2))
    assert clock.next_action_at is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if EscalationStep.objects.filter(clock=clock, kind="circular").exists():
            break
        for name, proc in procs.items():
            assert proc.poll() is None, f"{name} exited:\n{(logdir / f'{name}.log').read_text()}"
        time.sleep(0.5)
    else:
        pytest.fail("no sweep within 90 s\nworker:\n" + (logdir / "worker.log").read_text()[-3000:]
                    + "\nbeat:\n" + (logdir / "beat.log").read_text()[-3000:])
    time.sleep(3)  # several more beats: nothing may fire twice
    clock.refresh_from_db()
    assert clock.state == Clock.State.BREACHED
    kinds = sorted(EscalationStep.objects.filter(clock=clock).values_list("kind", flat=True))
    assert kinds == ["breach", "circular", "reminder", "supervision"]
    assert sorted(Notification.objects.filter(kind="breach").values_list("recipient__username", flat=True)) == [
        "bob", "carol"]
    assert "casework.tasks.sweep_deadlines" in (logdir / "worker.log").read_text()
    assert verify_chain().ok
