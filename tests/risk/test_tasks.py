import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import TestCase

from risk import tasks
from risk.models import Warning
from tests.risk.conftest import tender_payload

pytestmark = pytest.mark.django_db


def test_new_data_queues_one_run_per_burst(monitor, luoyang, monkeypatch):
    cache.clear()
    queued = []
    monkeypatch.setattr(tasks.screen_jurisdiction, "apply_async", lambda args, countdown: queued.append(
        (args, countdown)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        for n in range(3):
            assert monitor.post("/api/v1/tenders/", tender_payload(luoyang, tender_id=f"Q-{n}"),
                                format="json").status_code == 201
    assert queued == [((luoyang["housing"].jurisdiction_id,), tasks.DEBOUNCE_SECONDS)]


def test_the_tasks_run_the_screens(monitor, luoyang):
    payload = tender_payload(luoyang, bidders=(0, 1, 2))
    payload["bids"][1]["ip"] = payload["bids"][0]["ip"]
    assert monitor.post("/api/v1/tenders/", payload, format="json").status_code == 201
    assert tasks.screen_jurisdiction(luoyang["housing"].jurisdiction_id) == 1
    assert tasks.screen_all() == 0 and Warning.objects.count() == 1  # nightly re-run: nothing new
    assert settings.CELERY_BEAT_SCHEDULE["risk-screen-nightly"]["task"] == "risk.tasks.screen_all"
