"""The complainant is texted at each legal step through the SMS provider interface (outbox, delivered after
commit, once); the text names the complaint and the step, never the complainant; a landline gets no text."""

from casework.sms import services as sms
from casework.sms.backends import MemoryBackend
from casework.sms.models import SmsMessage
from complaints import services
from tests.complaints.conftest import NAME, PHONE, complaint_input


def test_acceptance_and_refusal_are_texted_once_without_the_name(settings, luoyang, bob, filed,
                                                                  django_capture_on_commit_callbacks):
    settings.PORTAL_SMS_BACKEND = "casework.sms.backends.MemoryBackend"
    MemoryBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=False):
        services.accept_complaint(actor=bob, complaint=filed.complaint)
    (message,) = SmsMessage.objects.filter(channel="sms")  # (the e-mail beside it: see the last test)
    assert message.phone == PHONE and message.kind == "complaint.accepted" and message.sent_at is None
    assert sms.sweep() == 2 and sms.sweep() == 0  # the task was lost: the sweep sends it (and the e-mail), once
    ((phone, text),) = MemoryBackend.outbox
    assert phone == PHONE and filed.complaint.reference in text and "已受理" in text and NAME not in text

    other = services.file_complaint(data=complaint_input(luoyang, contact_phone="0379-63216655",
                                                         project_code="LYGC2026-909"), channel="online",
                                    submission_key="web:landline").complaint
    services.refuse_complaint(actor=bob, complaint=other, reasons="投诉事项不属于招标投标活动，不予受理。")
    assert not SmsMessage.objects.filter(kind="complaint.refused", channel="sms").exists()  # a landline: no text


def test_a_failing_provider_leaves_the_message_for_the_next_sweep(settings, bob, filed, monkeypatch):
    settings.PORTAL_SMS_BACKEND = "casework.sms.backends.MemoryBackend"
    MemoryBackend.outbox = []
    services.accept_complaint(actor=bob, complaint=filed.complaint)
    monkeypatch.setattr(MemoryBackend, "send", lambda self, phone, text: (_ for _ in ()).throw(OSError("down")))
    assert sms.sweep() == 1  # the e-mail went; the text message did not
    message = SmsMessage.objects.get(channel="sms")
    assert message.sent_at is None and message.claimed_at is None and message.attempts == 1
    monkeypatch.undo()
    settings.PORTAL_SMS_BACKEND = "casework.sms.backends.MemoryBackend"
    assert sms.sweep() == 1 and SmsMessage.objects.get(channel="sms").sent_at is not None


def test_a_complainant_who_gave_an_e_mail_is_written_to_at_each_step(settings, luoyang, bob, mailoutbox):
    """Hegang 四(二): told in writing at acceptance and decision; the e-mail names the complaint, the step and the
    handling department, never the complainant, and carries a Message-ID so a resend is recognisable."""
    settings.PORTAL_SMS_BACKEND = "casework.sms.backends.MemoryBackend"
    MemoryBackend.outbox = []
    complaint = services.file_complaint(data=complaint_input(luoyang, contact_email="zhou@example.cn"),
                                        channel="online", submission_key="web:email").complaint
    services.accept_complaint(actor=bob, complaint=complaint)
    assert sms.sweep() == 2 and sms.sweep() == 0  # the text and the e-mail, each sent once
    (mail,) = mailoutbox
    assert mail.to == ["zhou@example.cn"] and complaint.reference in mail.subject and "已受理" in mail.subject
    assert complaint.tracking_code in mail.body and "/complaints/track/" in mail.body
    assert NAME not in mail.body + mail.subject and mail.extra_headers["Message-ID"].startswith("<notice-")
    assert SmsMessage.objects.filter(channel="email", sent_at__isnull=False).count() == 1

    nomail = services.file_complaint(data=complaint_input(luoyang, contact_email="not-an-address",
                                                          project_code="LYGC2026-910"),
                                     channel="online", submission_key="web:bad-email")
    assert not nomail.created or not SmsMessage.objects.filter(channel="email", object_id=str(nomail.complaint.pk))


def test_the_tracking_page_shows_the_steps_with_their_due_dates_and_the_notices_sent(client, bob, filed):
    services.accept_complaint(actor=bob, complaint=filed.complaint)
    page = client.post("/complaints/track/", {"tracking_code": filed.complaint.tracking_code,
                                              "secret": filed.secret}).content.decode()
    history = page[page.index('id="history"'):]
    assert "办理进程和法定期限" in history and "审查投诉" in history and "24:00" in history  # the triage step's limit
    assert "作出投诉处理决定" in history and "计时中" in history  # the decision step now running
    notices = page[page.index('id="notices"'):]
    assert "短信" in notices and "电子邮件" in notices and "已受理" in notices and NAME not in page
