"""Status callbacks: signed, retried with back-off, never lost while the receiver is down."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from casework.webhooks import services as webhooks
from casework.webhooks.models import WebhookDelivery
from referrals import services
from tests.referrals.conftest import clue_input


class Receiver:
    """A local HTTP endpoint standing in for the trading centre's system."""

    def __init__(self):
        self.received, self.status = [], 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_status_change_is_posted_signed(luoyang, alice, bob, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        result = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url=receiver.url))
    secret = result.callback_secret
    assert len(secret) == 64
    with django_capture_on_commit_callbacks(execute=False):
        services.register_clue(actor=bob, clue=result.clue)
    delivery = WebhookDelivery.objects.get(event="clue.registered")
    assert webhooks.deliver(delivery.pk) is True
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), headers["X-Portal-Timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == expected
    assert headers["X-Portal-Event"] == "clue.registered"
    data = json.loads(body)
    assert data["clue"]["status"] == "registered" and data["clue"]["reference"] == result.clue.reference
    assert webhooks.deliver(delivery.pk) is True and len(receiver.received) == 1  # never twice


def test_receiver_down_is_retried_with_backoff_until_it_answers(luoyang, alice, bob, receiver, frozen,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        clue = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url=receiver.url)).clue
        services.register_clue(actor=bob, clue=clue)
    delivery = WebhookDelivery.objects.get()
    receiver.status = 503
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status == 503 and delivery.next_attempt_at > timezone.now()
    assert webhooks.due_deliveries() == []                     # waiting out the back-off
    assert delivery.pk in webhooks.due_deliveries(now=delivery.next_attempt_at)
    receiver.status = 200
    assert webhooks.deliver(delivery.pk) is False               # not before its time
    frozen(delivery.next_attempt_at)
    assert webhooks.deliver(delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.delivered_at and delivery.attempts == 2


def test_unreachable_receiver_keeps_the_delivery(luoyang, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        clue = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url="http://127.0.0.1:9/x")).clue
        services.register_clue(actor=bob, clue=clue)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.last_error and delivery.next_attempt_at


def test_backoff_grows_and_is_capped():
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert webhooks.backoff(30).total_seconds() == 6 * 3600


def test_register_callback_over_api(monitor, luoyang, receiver):
    from tests.referrals.conftest import payload

    clue_id = monitor.post("/api/v1/clues/", payload(luoyang), format="json").json()["id"]
    resp = monitor.put(f"/api/v1/clues/{clue_id}/callback/", {"url": receiver.url}, format="json")
    assert resp.status_code == 200 and len(resp.json()["secret"]) == 64
    assert monitor.put(f"/api/v1/clues/{clue_id}/callback/", {"url": "ftp://x"}, format="json").status_code == 400


def test_beat_retry_task_delivers_what_a_lost_task_left_behind(luoyang, alice, bob, receiver,
                                                               django_capture_on_commit_callbacks):
    from casework.tasks import retry_webhooks

    with django_capture_on_commit_callbacks(execute=False):  # the dispatch task is "lost"
        clue = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url=receiver.url)).clue
        services.register_clue(actor=bob, clue=clue)
    assert len(receiver.received) == 0
    assert retry_webhooks() == 1
    assert len(receiver.received) == 1
    assert retry_webhooks() == 0
