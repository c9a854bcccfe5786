"""Operators' endpoints: liveness, readiness (database, broker, storage) and Prometheus metrics."""

from casework import health
from casework.clocks import services as clocks
from casework.events.models import Event
from tests.conftest import at


def test_healthz_answers_anyone(client, db):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}


def test_readyz_checks_database_broker_and_storage(client, db):
    resp = client.get("/readyz")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}


def test_readyz_is_503_when_the_broker_is_down(client, db, monkeypatch):
    def down():
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(health, "_check_broker", down)
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["broker"] == "error: ConnectionRefusedError"
    assert resp.json()["checks"]["database"] == "ok"


def test_metrics_show_latency_overdue_and_sweep(client, luoyang, frozen):
    from casework.tasks import sweep_deadlines

    frozen(at(2026, 11, 2))
    clocks.start_clock(actor=None, subject=luoyang["housing"], rule_key="referral.return",
                       department=luoyang["housing"], started_at=at(2026, 11, 2))
    frozen(at(2026, 12, 20))
    client.get("/healthz")
    assert sweep_deadlines() >= 1
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'portal_request_seconds_count{method="GET",route="healthz",status="2xx"}' in body
    assert "portal_overdue_clocks 1.0" in body
    assert "portal_sweep_seconds " in body and "portal_sweep_seconds NaN" not in body
    assert "portal_queue_depth" in body and "portal_due_clocks" in body
    pending = Event.objects.filter(chain_seq__isnull=True).count()
    assert pending and f"portal_audit_pending_events {pending:.1f}" in body  # this test never ran the sequencer


def test_metrics_are_not_public(client, db, settings):
    assert client.get("/metrics", REMOTE_ADDR="8.8.8.8").status_code == 404
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789").status_code == 200
