"""Inbox and e-mail: every notification is in the inbox; its e-mail goes out at most once."""

import pytest
from django.core import mail
from django.utils import timezone

from casework.notifications.models import Notification
from casework.notifications.services import send_emails


def note(user, **kw):
    return Notification.objects.create(recipient=user, kind="breach", title="超期：测试", body="正文",
                                       url="/clocks/1/", created_at=timezone.now(), **kw)


def test_email_sent_once_even_when_the_task_is_retried(bob):
    n = note(bob)
    assert send_emails([n.pk]) == 1
    assert send_emails([n.pk]) == 0  # a retried or duplicated task
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.invalid"]
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_failed_send_releases_the_claim_for_the_retry(bob, monkeypatch):
    n = note(bob)

    def down(*a, **k):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    with pytest.raises(RuntimeError):  # the task retries with back-off
        send_emails([n.pk])
    n.refresh_from_db()
    assert n.email_claimed_at is None and n.emailed_at is None
    monkeypatch.undo()
    assert send_emails([n.pk]) == 1


def test_inbox_shows_only_mine_and_marks_read(client, bob, erin):
    mine, theirs = note(bob), note(erin, )
    client.force_login(bob)
    page = client.get("/inbox/").content.decode()
    assert page.count("超期：测试") == 1
    resp = client.post(f"/inbox/{mine.pk}/read/")
    assert resp.status_code == 302 and resp["Location"] == "/clocks/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
