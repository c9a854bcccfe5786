"""Whistleblower protection: the complainant is visible only to the handling department's staff who
hold complaints.view_complainant; masked on every other page, API, export, notification, letter to a
third party and the audit trail. One test per place."""

import json
import subprocess

from django.core import mail
from rest_framework.test import APIClient

from casework.events.models import Event
from casework.notifications.models import Notification
from casework.org.services import create_api_client
from complaints import services
from tests.complaints.conftest import ID_NUMBER, NAME, PHONE, complaint_input

SECRETS = (NAME, ID_NUMBER, PHONE)


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_case_page_full_for_cleared_staff_masked_for_others(client, filed, cleared, uncleared, dave):
    url = filed.complaint.get_absolute_url()
    client.force_login(cleared)
    page = client.get(url).content.decode()
    assert leaks(page) == list(SECRETS)
    for user in (uncleared, dave):   # same department without the permission; the supervision office
        client.force_login(user)
        page = client.get(url).content.decode()
        assert leaks(page) == [], user
        assert "周**" in page and "身份信息保密" in page


def test_list_page_masks(client, filed, uncleared, dave):
    for user in (uncleared, dave):
        client.force_login(user)
        page = client.get("/complaints/").content.decode()
        assert filed.complaint.reference in page and leaks(page) == []


def test_api_masks_for_other_systems(filed, luoyang):
    _, token = create_api_client(name="housing-sys", department=luoyang["housing"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps(api.get(f"/api/v1/complaints/{filed.complaint.pk}/").json(), ensure_ascii=False)
    assert leaks(body) == [] and "周**" in body


def test_notifications_and_emails_never_name_the_complainant(luoyang, cleared, carol):
    from tests.complaints.conftest import complaint_input

    services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:n")
    texts = [f"{n.title} {n.body}" for n in Notification.objects.all()]
    assert texts and all(leaks(t) == [] for t in texts)
    from casework.notifications.services import send_emails

    send_emails(list(Notification.objects.values_list("pk", flat=True)))
    assert mail.outbox and all(leaks(m.subject + m.body) == [] for m in mail.outbox)


def test_transfer_letter_to_the_other_department_masks(filed, cleared, luoyang):
    from casework.letters.models import Letter
    from casework.letters.services import letter_bytes

    services.transfer_complaint(actor=cleared, complaint=filed.complaint, to=luoyang["transport"],
                                reasons="该项目为交通工程")
    letter = Letter.objects.get(kind="transfer")
    text = subprocess.run(["pdftotext", "-", "-"], input=letter_bytes(letter), capture_output=True).stdout.decode()
    assert "洛阳市某道路改造工程" in text.replace("\n", "") and leaks(text.replace("\n", "")) == []


def test_audit_trail_never_stores_the_identity(filed, cleared, carol):
    complaint = services.accept_complaint(actor=cleared, complaint=filed.complaint)
    services.decide_complaint(actor=carol, complaint=complaint, outcome="upheld",
                              decision="经调查，反映的问题属实，责令重新评标。")
    dump = json.dumps(list(Event.objects.values("action", "before", "after", "reason")), ensure_ascii=False)
    assert "letter.issued" in dump and leaks(dump) == []


def test_admin_audit_view_shows_no_identity(client, filed, audrey):
    client.force_login(audrey)  # the auditor reads the audit trail
    events = Event.objects.filter(object_type="complaints.complaint")
    assert events
    for event in events:
        resp = client.get(f"/admin/casework/event/{event.pk}/change/")
        assert resp.status_code == 200 and leaks(resp.content.decode()) == []


def test_decision_letter_opens_only_with_the_permission(client, filed, cleared, uncleared, carol):
    complaint = services.accept_complaint(actor=cleared, complaint=filed.complaint)
    complaint = services.decide_complaint(actor=carol, complaint=complaint, outcome="dismissed",
                                          decision="经调查，投诉缺乏事实依据，予以驳回。")
    url = f"/letters/{complaint.decision_letter.pk}.pdf"
    client.force_login(cleared)
    assert client.get(url).status_code == 200
    client.force_login(uncleared)
    resp = client.get(url)
    assert resp.status_code == 404 and leaks(resp.content.decode()) == []  # may not know it exists
    assert leaks(client.get(complaint.get_absolute_url()).content.decode()) == []


def test_statistics_export_has_no_identity(client, filed, dave):
    client.force_login(dave)
    resp = client.get("/complaints/statistics.xlsx")
    assert resp.status_code == 200
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert leaks(cells) == []


def test_publication_masks(client, filed, cleared, carol):
    complaint = services.accept_complaint(actor=cleared, complaint=filed.complaint)
    complaint = services.decide_complaint(actor=carol, complaint=complaint, outcome="upheld",
                                          decision=f"经调查，{NAME}（电话{PHONE}）反映的问题属实。")
    services.publish_decision(actor=carol, complaint=complaint)
    assert leaks(client.get("/complaints/published/").content.decode()) == []


def test_publication_masks_the_phone_in_another_format(client, luoyang, cleared, carol):
    """Seen in the field: the stored phone was 0468-8881234 and the decision said "0468 8881234"."""
    complaint = services.file_complaint(data=complaint_input(luoyang, contact_phone="0468-8881234"),
                                        channel="online", submission_key="web:fmt").complaint
    services.accept_complaint(actor=cleared, complaint=complaint)
    services.decide_complaint(actor=carol, complaint=complaint, outcome="upheld",
                              decision="经调查，投诉人周 明远（电话 0468 8881234，手机＋86 138 0013 8000）"
                                       "反映的问题属实。")
    services.publish_decision(actor=carol, complaint=complaint)
    page = client.get("/complaints/published/").content.decode()
    for secret in ("8881234", "888 1234", "0013 8000", "周 明远", NAME):
        assert secret not in page
    assert "投诉成立" in page
