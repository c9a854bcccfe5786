"""Inbox and e-mail: every notification is in the inbox; its e-mail goes out at most once."""

import pytest
from django.core import mail
from django.utils import timezone

from casework.notifications.models import Notification
from casework.notifications.services import send_emails


def note(user, **kw):
    values = {"kind": "breach", "title": "超期：测试", "body": "正文", "url": "/clocks/1/", **kw}
    return Notification.objects.create(recipient=user, created_at=timezone.now(), **values)


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


def test_inbox_filters_by_category_state_and_case_and_marks_all_read(client, bob, erin):
    breach = note(bob)
    clue = note(bob, kind="clue_received", title="新线索：甲工程", url="/referrals/7/")
    other_clue_notice = note(bob, kind="transfer_accepted", url="/referrals/7/")
    odd = note(bob, kind="something_new")
    foreign = note(erin)
    client.force_login(bob)
    page = client.get("/inbox/")
    assert page.context["page"].paginator.count == 4 and page.context["unread_here"] == 4
    deadlines = client.get("/inbox/?category=deadline").context["notes"]
    assert [n.pk for n in deadlines] == [breach.pk]
    referrals = client.get("/inbox/?category=referral").context["notes"]
    assert {n.pk for n in referrals} == {clue.pk, other_clue_notice.pk}
    assert [n.pk for n in client.get("/inbox/?category=other").context["notes"]] == [odd.pk]
    case = client.get("/inbox/?case=/referrals/7/").context["notes"]
    assert {n.pk for n in case} == {clue.pk, other_clue_notice.pk}
    # Mark all read within the current filter only.
    resp = client.post("/inbox/read-all/", {"category": "referral"})
    assert resp.status_code == 302 and resp["Location"] == "/inbox/?category=referral"
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 2
    assert [n.pk for n in client.get("/inbox/?state=unread").context["notes"]] == [odd.pk, breach.pk]
    client.post("/inbox/read-all/", {})
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    foreign.refresh_from_db()
    assert foreign.read_at is None  # never someone else's


def test_notices_are_short(bob):
    from casework.notifications.services import create_many

    [made] = create_many([Notification(recipient=bob, kind="clue_received", title="新线索", body="甲" * 19000,
                                       url="/referrals/1/", created_at=timezone.now())])
    made.refresh_from_db()
    assert len(made.body) == 140 and made.body.endswith("…")
