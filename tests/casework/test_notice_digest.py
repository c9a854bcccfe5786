"""Per-person notice settings: routine notices e-mailed one by one, or gathered in one daily digest; urgent
ones (returns, 督办, deadline notices) always at once; the digest is sent once even if beat runs it twice."""

from django.core import mail
from django.utils import timezone

from casework.notifications.models import NoticeSetting, Notification
from casework.notifications.services import send_digests, send_emails, sweep_emails


def note(user, **kw):
    values = {"kind": "clue_received", "title": "新线索：某工程", "body": "一行", "url": "/clues/1/", **kw}
    return Notification.objects.create(recipient=user, created_at=timezone.now(), **values)


def test_digest_holds_routine_notices_and_sends_urgent_ones_at_once(client, bob, carol):
    client.force_login(bob)
    assert client.post("/inbox/settings/", {"email_mode": "digest"}).status_code == 302
    assert NoticeSetting.objects.get(user=bob).email_mode == "digest"
    bad = client.post("/inbox/settings/", {"email_mode": "hourly"})
    assert bad.status_code == 400 and "每日汇总" in bad.content.decode()
    routine = [note(bob), note(bob, title="新线索：另一工程", url="/clues/2/")]
    urgent = note(bob, kind="transfer_returned", title="线索被退回")
    others = note(carol)  # carol kept the default: each notice at once
    assert send_emails([n.pk for n in [*routine, urgent, others]]) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.invalid", "carol@example.invalid"]
    assert sweep_emails() == 0  # the sweep leaves the held notices for the digest

    mail.outbox.clear()
    assert send_digests() == 1
    assert send_digests() == 0  # beat ran it twice: nothing more
    (digest,) = mail.outbox
    assert digest.to == ["bob@example.invalid"] and "2 条" in digest.subject
    assert "新线索：某工程" in digest.body and "/clues/2/" in digest.body and "线索被退回" not in digest.body
    assert all(n.emailed_at for n in Notification.objects.filter(pk__in=[r.pk for r in routine]))
    assert "每日汇总一封" in client.get("/inbox/").content.decode()
