"""Evidence travels with the transfer: who may open it (the matrix), the bytes that come back, the audit trail,
download_url in the API with the token, result and return attachments."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from casework.attachments.models import Attachment
from casework.events.models import Event
from casework.letters.models import Letter
from casework.org.models import Membership
from casework.org.services import create_api_client
from referrals import services
from referrals.models import Matter
from tests.casework.test_attachment_checks import PDF, PNG, docx
from tests.conftest import make_user
from tests.referrals.conftest import payload


@pytest.fixture
def police_leader(luoyang):
    return make_user("polly", luoyang["police"], Membership.Role.LEADER)


def transfer(clue, bob, luoyang):
    return services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                                  legal_basis="《中华人民共和国刑法》第二百二十三条",
                                  materials=["线索摘要及交易记录"])[0]


def status(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_download_matrix_before_and_after_a_transfer(client, clue, luoyang, alice, bob, carol, dave, erin, olga,
                                                     pete):
    evidence, created = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", PDF))
    assert created and evidence.department == luoyang["trading_centre"]
    url = evidence.get_absolute_url()
    # the trading centre (uploader), the supervising department it was pushed to, the supervisor: yes
    for user in (alice, bob, carol, dave):
        response = status(client, user, url)
        assert response.status_code == 200, user
        assert response.content == PDF
    # an unrelated department, the police before the transfer, the superuser: not a party, 404
    for user in (erin, pete, olga):
        assert status(client, user, url).status_code == 404, user
    assert status(client, None, url).status_code == 302  # anonymous: to the login page
    t = transfer(clue, bob, luoyang)
    assert list(t.transfer_letter.attachments.all()) == [evidence]
    assert list(t.receipt_letter.attachments.all()) == [evidence]
    assert status(client, pete, url).status_code == 200  # the receiver of a transfer that lists it
    assert status(client, erin, url).status_code == 404
    assert status(client, olga, url).status_code == 404


def test_bytes_headers_and_the_audit_record(client, clue, alice, bob):
    pdf, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对 报告\".pdf", PDF))
    sheet, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("投标清单.docx", docx()))
    client.force_login(bob)
    response = client.get(pdf.get_absolute_url())
    assert response.content == PDF and hashlib.sha256(response.content).hexdigest() == pdf.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; ")
    assert "filename*=UTF-8''%E6%AF%94%E5%AF%B9%20%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert '"' not in pdf.name  # the quote was stripped from the stored name
    download = client.get(sheet.get_absolute_url())
    assert download["Content-Disposition"].startswith("attachment; filename=\"")
    assert download.content == docx() or hashlib.sha256(download.content).hexdigest() == sheet.sha256
    forced = client.get(pdf.get_absolute_url() + "?download=1")
    assert forced["Content-Disposition"].startswith("attachment; ")
    events = Event.objects.filter(action="attachment.downloaded", object_id=str(pdf.pk))
    assert events.count() == 2 and {e.actor for e in events} == {bob}
    assert events.first().after["channel"] == "web" and events.first().after["sha256"] == pdf.sha256


def test_a_tampered_file_is_refused(client, clue, alice, bob):
    from django.core.files.storage import default_storage

    pdf, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("r.pdf", PDF))
    with default_storage.open(pdf.file.name, "wb") as fh:
        fh.write(PDF + b"tampered")
    client.force_login(bob)
    response = client.get(pdf.get_absolute_url())
    assert response.status_code == 500 and "SHA-256 不符" in response.content.decode()
    assert not Event.objects.filter(action="attachment.downloaded").exists()


def test_api_gives_download_url_and_the_token_downloads(monitor, luoyang, bob):
    clue_id = monitor.post("/api/v1/clues/", payload(luoyang), format="json").json()["id"]
    uploaded = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {"file": SimpleUploadedFile("report.pdf", PDF)},
                            format="multipart").json()
    assert uploaded["download_url"].endswith(f"/api/v1/files/{uploaded['id']}/")
    detail = monitor.get(f"/api/v1/clues/{clue_id}/").json()
    url = detail["evidence"][0]["download_url"]
    assert url.startswith("http://testserver/api/v1/files/")
    got = monitor.get(url)
    assert got.status_code == 200 and b"".join(got) == PDF and got["X-Content-Type-Options"] == "nosniff"
    _, token = create_api_client(name="transport-sys", department=luoyang["transport"])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.get(url).status_code == 404
    assert APIClient().get(url).status_code == 401
    event = Event.objects.get(action="attachment.downloaded")
    assert event.after["channel"] == "api" and event.actor_label == "接口：monitor"


def test_lying_files_are_refused_and_nothing_is_kept(monitor, luoyang):
    clue_id = monitor.post("/api/v1/clues/", payload(luoyang), format="json").json()["id"]
    exe = b"MZ\x90\x00" + b"\x00" * 60
    bad = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {"file": SimpleUploadedFile("report.pdf", exe)},
                       format="multipart")
    assert bad.status_code == 400 and "与扩展名 .pdf 不符" in bad.json()["error"]["fields"]["file"][0]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    bad = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {"file": SimpleUploadedFile("photo.png", svg)},
                       format="multipart")
    assert bad.status_code == 400 and "SVG" in bad.json()["error"]["message"]
    assert Attachment.objects.count() == 0


def test_result_feedback_carries_files_in_a_written_result_notice(client, clue, luoyang, alice, bob, erin, pete):
    t = transfer(clue, bob, luoyang)
    services.accept_transfer(actor=pete, transfer=t)
    t = services.report_result(actor=pete, transfer=t, result="已立案侦查，对甲公司法定代表人采取强制措施。",
                               completed_on=timezone.localdate(),
                               uploads=[SimpleUploadedFile("立案决定书.pdf", PDF), SimpleUploadedFile("现场.png", PNG)])
    letter = t.result_letter
    assert letter.kind == Letter.Kind.RESULT_NOTICE and letter.issuer == luoyang["police"]
    assert letter.addressee == luoyang["housing"] and "处理结果的告知函" in letter.title
    files = list(letter.attachments.order_by("id"))
    assert [f.name for f in files] == ["立案决定书.pdf", "现场.png"]
    assert all(f.purpose == "result" and f.department == luoyang["police"] for f in files)
    assert letter.materials == [f.material_line for f in files]
    for user, code in ((bob, 200), (pete, 200), (erin, 404), (alice, 404)):
        client.force_login(user)
        assert client.get(files[1].get_absolute_url()).status_code == code, user
    client.force_login(bob)
    assert client.get(files[1].get_absolute_url())["Content-Type"] == "image/png"


def test_a_bad_result_file_leaves_nothing_written(clue, luoyang, bob, pete):
    from casework.errors import DomainError

    t = transfer(clue, bob, luoyang)
    services.accept_transfer(actor=pete, transfer=t)
    with pytest.raises(DomainError):
        services.report_result(actor=pete, transfer=t, result="已立案侦查。", uploads=[
            SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("evil.pdf", b"MZ\x90\x00" + b"\x00" * 60)])
    t.refresh_from_db()
    assert t.result_letter is None and not t.result and Attachment.objects.filter(purpose="result").count() == 0


def test_a_return_carries_its_files_and_the_evidence_back(client, clue, luoyang, alice, bob, pete, erin):
    evidence, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", PDF))
    t = transfer(clue, bob, luoyang)
    t = services.return_transfer(actor=pete, transfer=t,
                                 reasons="该事项属于行政监管范畴，不构成刑事犯罪，依法不予立案。",
                                 uploads=[SimpleUploadedFile("不予立案通知书.pdf", PDF + b"%return")])
    files = list(t.return_letter.attachments.order_by("id"))
    assert [f.name for f in files] == ["比对报告.pdf", "不予立案通知书.pdf"]
    client.force_login(bob)
    assert client.get(files[1].get_absolute_url()).content == PDF + b"%return"
    client.force_login(erin)
    assert client.get(files[1].get_absolute_url()).status_code == 404


def test_letter_page_lists_the_files_and_the_clue_page_links_them(client, clue, luoyang, alice, bob, pete, erin,
                                                                  carol, dave, olga):
    evidence, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", PDF))
    t = transfer(clue, bob, luoyang)
    letter = t.transfer_letter
    assert letter.materials == ["线索摘要及交易记录", f"比对报告.pdf（{len(PDF)} 字节）"]
    client.force_login(pete)
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    assert letter.doc_number in page and f'href="/files/{evidence.pk}/"' in page and "比对报告.pdf" in page
    clue_page = client.get(clue.get_absolute_url()).content.decode()
    assert f'href="/letters/{letter.pk}/"' in clue_page and f'href="/files/{evidence.pk}/"' in clue_page
    for user, code in ((bob, 200), (carol, 200), (dave, 200), (erin, 404), (olga, 404)):
        client.force_login(user)
        assert client.get(f"/letters/{letter.pk}/").status_code == code, user
    client.logout()
    assert client.get(f"/letters/{letter.pk}/").status_code == 302


def test_evidence_added_after_the_transfer_does_not_reach_the_receiver(client, clue, luoyang, alice, bob, pete):
    t = transfer(clue, bob, luoyang)
    later, _ = services.add_evidence(actor=bob, clue=clue, upload=SimpleUploadedFile("补充.pdf", PDF))
    assert later.department == luoyang["housing"] and t.transfer_letter.attachments.count() == 0
    client.force_login(pete)
    assert client.get(later.get_absolute_url()).status_code == 404
    client.force_login(alice)  # the trading centre did not receive the housing bureau's own evidence
    assert client.get(later.get_absolute_url()).status_code == 404


def test_admin_lists_the_record_but_is_not_a_party(client, clue, alice, olga):
    from django.contrib.auth.models import Permission

    evidence, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", PDF))
    client.force_login(olga)
    assert client.get("/admin/casework/attachment/").status_code == 403  # case content: no administrator's
    olga.user_permissions.add(Permission.objects.get(codename="view_attachment"))  # an explicit grant
    listing = client.get("/admin/casework/attachment/")
    assert listing.status_code == 200 and "比对报告.pdf" in listing.content.decode()
    assert client.get(evidence.get_absolute_url()).status_code == 404
    assert client.get("/admin/casework/attachment/add/").status_code == 403
