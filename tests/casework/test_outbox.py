"""Outboxes that lose nothing: one bad receiver never stops the others; no HTTP inside a transaction; callback
URLs to this machine or the internal network refused; no redirects; a retry goes to the current URL and secret;
e-mail owed by a dead worker is swept; a broker that is down never costs the filer the receipt."""

import datetime as dt
import hashlib
import hmac
import socket
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from casework import tasks
from casework.notifications.models import Notification
from casework.notifications.services import send_emails, sweep_emails
from casework.webhooks import services as webhooks
from casework.webhooks.models import WebhookDelivery
from complaints.models import Complaint
from referrals import services
from tests.complaints.test_filing import form_data
from tests.referrals.conftest import clue_input, monitor  # noqa: F401  (fixture)
from tests.referrals.test_callbacks import Receiver


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class Garbage:
    """Answers every connection with bytes that are not HTTP (http.client raises BadStatusLine)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.running = True
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.sendall(b"GARBAGE\r\n\r\n")
            conn.close()

    def close(self):
        self.running = False
        self.sock.close()


def registered_clue(luoyang, alice, bob, url, capture):
    with capture(execute=False):
        clue = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url=url)).clue
        services.register_clue(actor=bob, clue=clue)
    return clue


def test_a_garbage_answer_counts_one_attempt_and_the_others_are_delivered(
        luoyang, alice, bob, receiver, django_capture_on_commit_callbacks):
    garbage = Garbage()
    try:
        bad = registered_clue(luoyang, alice, bob, garbage.url, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=False):
            good = services.intake_clue(actor=alice, data=clue_input(luoyang, external_id="MON-2",
                                                                     callback_url=receiver.url)).clue
            services.register_clue(actor=bob, clue=good)
        assert tasks.retry_webhooks() == 2
    finally:
        garbage.close()
    bad_delivery = WebhookDelivery.objects.get(subject_id=str(bad.pk))
    good_delivery = WebhookDelivery.objects.get(subject_id=str(good.pk))
    assert bad_delivery.delivered_at is None and bad_delivery.attempts == 1
    assert "BadStatusLine" in bad_delivery.last_error and bad_delivery.next_attempt_at > timezone.now()
    assert good_delivery.delivered_at is not None and len(receiver.received) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_request_is_made_outside_any_transaction(luoyang, alice, bob, receiver, monkeypatch):
    clue = services.intake_clue(actor=alice, data=clue_input(luoyang, callback_url=receiver.url)).clue
    seen = []
    real_open = webhooks._opener.open

    def watching(request, timeout):
        seen.append(connection.in_atomic_block)
        return real_open(request, timeout=timeout)

    monkeypatch.setattr(webhooks._opener, "open", watching)
    monkeypatch.setattr("casework.outbox.dispatch", lambda task, *args: True)  # no broker in this test
    services.register_clue(actor=bob, clue=clue)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) is True
    assert seen == [False]


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://192.168.1.1/x",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
                                 "http://[::ffff:127.0.0.1]/x", "http://0.0.0.0/x", "ftp://example.gov.cn/x",
                                 "https://user:pw@example.gov.cn/x"])
@override_settings(PORTAL_WEBHOOK_ALLOWED_HOSTS=[])
def test_callback_urls_into_the_portals_own_network_are_refused(monitor, luoyang, url):  # noqa: F811
    from tests.referrals.conftest import payload

    resp = monitor.post("/api/v1/clues/", payload(luoyang, callback_url=url), format="json")
    assert resp.status_code == 400 and "callback_url" in resp.json()["error"]["fields"]


def test_allow_listed_hosts_and_https_rules():
    with override_settings(PORTAL_WEBHOOK_ALLOWED_HOSTS=["10.8.0.7"], PORTAL_WEBHOOK_ALLOW_HTTP=True):
        assert webhooks.url_problem("http://10.8.0.7/hook") is None
        assert webhooks.url_problem("http://10.8.0.8/hook")
    with override_settings(PORTAL_WEBHOOK_ALLOW_HTTP=False, PORTAL_WEBHOOK_ALLOWED_HOSTS=[]):
        assert "https" in webhooks.url_problem("http://monitor.example.gov.cn/hook", resolve=False)
        assert webhooks.url_problem("https://monitor.example.gov.cn/hook", resolve=False) is None
    with override_settings(PORTAL_WEBHOOK_ALLOWED_HOSTS=[]):
        assert webhooks.url_problem("http://localhost:8000/x")  # resolves to loopback at delivery time


@override_settings(PORTAL_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])
def test_a_name_that_resolves_inside_is_refused_at_delivery_without_a_request(
        luoyang, alice, bob, receiver, django_capture_on_commit_callbacks):
    url = receiver.url.replace("127.0.0.1", "localhost")
    with override_settings(PORTAL_WEBHOOK_ALLOWED_HOSTS=["localhost"]):
        registered_clue(luoyang, alice, bob, url, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert "内网" in delivery.last_error and delivery.attempts == 1 and receiver.received == []


def test_redirects_are_not_followed(luoyang, alice, bob, receiver, django_capture_on_commit_callbacks):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(307)
            self.send_header("Location", receiver.url)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        registered_clue(luoyang, alice, bob, f"http://127.0.0.1:{server.server_port}/hook",
                        django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert webhooks.deliver(delivery.pk) is False
    finally:
        server.shutdown()
        server.server_close()
    delivery.refresh_from_db()
    assert delivery.last_status == 307 and "重定向" in delivery.last_error
    assert receiver.received == []


def test_a_retry_goes_to_the_current_url_with_the_current_secret(
        luoyang, alice, bob, receiver, frozen, django_capture_on_commit_callbacks):
    clue = registered_clue(luoyang, alice, bob, "http://127.0.0.1:9/old", django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver(delivery.pk) is False  # the old receiver is gone
    secret = services.register_callback(actor=alice, clue=clue, url=receiver.url)
    delivery.refresh_from_db()
    frozen(delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert webhooks.deliver(delivery.pk) is True
    headers, body = receiver.received[0]
    expected = hmac.new(secret.encode(), headers["X-Portal-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-Portal-Signature"] == "sha256=" + expected.hexdigest()
    assert headers["X-Portal-Delivery"] == str(delivery.pk)


# --- E-mail through the same outbox ----------------------------------------------------------------------

def note(user, **kw):
    return Notification.objects.create(recipient=user, kind="breach", title="超期：测试", body="正文",
                                       url="/clocks/1/", created_at=timezone.now(), **kw)


def test_the_sweep_sends_what_a_dead_worker_claimed_and_never_sent(bob, carol, erin):
    stale = note(bob, email_claimed_at=timezone.now() - dt.timedelta(minutes=30))  # its worker was killed
    fresh = note(carol, email_claimed_at=timezone.now())                            # being sent right now
    lost = note(erin)                                                                # its task never ran
    sent = note(bob, emailed_at=timezone.now(), email_claimed_at=timezone.now())
    assert tasks.sweep_notification_emails() == 2
    ids = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert ids == sorted(f"<notification-{n.pk}@127.0.0.1>" for n in (stale, lost))
    assert sweep_emails() == 0 and send_emails([stale.pk, lost.pk, sent.pk]) == 0  # never twice
    fresh.refresh_from_db()
    assert fresh.emailed_at is None


def test_one_failing_address_does_not_stop_the_batch(bob, carol, monkeypatch):
    a, b = note(bob), note(carol)
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["bob@example.invalid"]:
            raise ConnectionResetError("SMTP hiccup")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    assert send_emails([a.pk, b.pk]) == 1
    a.refresh_from_db()
    assert a.email_claimed_at is None and a.emailed_at is None  # left for the sweep
    monkeypatch.undo()
    assert sweep_emails() == 1


# --- Broker down ------------------------------------------------------------------------------------------

@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (tasks.deliver_webhook, tasks.send_notification_emails):
        monkeypatch.setattr(task, "apply_async", refuse)


def test_the_filer_gets_the_receipt_with_the_broker_down(client, luoyang, bob, broker_down,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/complaints/file/", form_data(luoyang))
    assert resp.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.tracking_code in client.get("/complaints/receipt/").content.decode()
    owed = Notification.objects.filter(emailed_at__isnull=True).count()
    assert owed >= 1 and mail.outbox == []
    assert sweep_emails() == owed  # the sweep delivers once the broker is back (beat runs it on the worker)


def test_an_api_write_answers_with_the_broker_down(monitor, luoyang,  # noqa: F811
                                                   receiver, broker_down,
                                                   django_capture_on_commit_callbacks):
    from tests.referrals.conftest import payload

    with django_capture_on_commit_callbacks(execute=True):
        resp = monitor.post("/api/v1/clues/", payload(luoyang, callback_url=receiver.url), format="json")
    assert resp.status_code == 201 and resp.json()["callback_secret"]


def test_evidence_added_by_staff_names_the_person(luoyang, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casework.events.models import Event
    from complaints import services as complaints
    from tests.complaints.conftest import complaint_input

    complaint = complaints.file_complaint(data=complaint_input(luoyang), channel="online",
                                          submission_key="web:e").complaint
    complaints.add_evidence(actor=bob, complaint=complaint,
                            upload=SimpleUploadedFile("补充.pdf", b"%PDF-1.4 evidence", "application/pdf"))
    event = Event.objects.get(action="complaint.evidence_added")
    assert event.actor == bob and event.actor_label.endswith("bob")
