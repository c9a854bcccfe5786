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
    (message,) = SmsMessage.objects.all()
    assert message.phone == PHONE and message.kind == "complaint.accepted" and message.sent_at is None
    assert sms.sweep() == 1 and sms.sweep() == 0  # the task was lost: the sweep sends it, once
    ((phone, text),) = MemoryBackend.outbox
    assert phone == PHONE and filed.complaint.reference in text and "已受理" in text and NAME not in text

    other = services.file_complaint(data=complaint_input(luoyang, contact_phone="0379-63216655",
                                                         project_code="LYGC2026-909"), channel="online",
                                    submission_key="web:landline").complaint
    services.refuse_complaint(actor=bob, complaint=other, reasons="投诉事项不属于招标投标活动，不予受理。")
    assert not SmsMessage.objects.filter(kind="complaint.refused").exists()  # a landline: the letter tells


def test_a_failing_provider_leaves_the_message_for_the_next_sweep(settings, bob, filed, monkeypatch):
    settings.PORTAL_SMS_BACKEND = "casework.sms.backends.MemoryBackend"
    MemoryBackend.outbox = []
    services.accept_complaint(actor=bob, complaint=filed.complaint)
    monkeypatch.setattr(MemoryBackend, "send", lambda self, phone, text: (_ for _ in ()).throw(OSError("down")))
    assert sms.sweep() == 0
    message = SmsMessage.objects.get()
    assert message.sent_at is None and message.claimed_at is None and message.attempts == 1
    monkeypatch.undo()
    settings.PORTAL_SMS_BACKEND = "casework.sms.backends.MemoryBackend"
    assert sms.sweep() == 1 and SmsMessage.objects.get().sent_at is not None
