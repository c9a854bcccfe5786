"""Status over REST, evidence upload, and the case page's scoping."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from casework.org.services import create_api_client
from referrals import services
from referrals.models import Matter
from tests.referrals.conftest import payload


def test_status_read_back_and_scoped(monitor, luoyang, bob):
    created = monitor.post("/api/v1/clues/", payload(luoyang), format="json").json()
    body = monitor.get(f"/api/v1/clues/{created['id']}/").json()
    assert body["status"] == "received" and body["bidders"][0]["name"] == "甲建设有限公司"
    _, token = create_api_client(name="transport-sys", department=luoyang["transport"])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.get(f"/api/v1/clues/{created['id']}/").status_code == 404
    assert other.get("/api/v1/clues/").json()["results"] == []
    listed = monitor.get("/api/v1/clues/?external_id=MON-2026-0001").json()
    assert listed["count"] == 1 and [c["id"] for c in listed["results"]] == [created["id"]]


def test_evidence_upload_sha256_limits_and_dedup(monitor, luoyang):
    clue_id = monitor.post("/api/v1/clues/", payload(luoyang), format="json").json()["id"]
    pdf = b"%PDF-1.4 fingerprint report"
    first = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {"file": SimpleUploadedFile("report.pdf", pdf)},
                         format="multipart")
    assert first.status_code == 201
    import hashlib

    assert first.json()["sha256"] == hashlib.sha256(pdf).hexdigest()
    again = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {"file": SimpleUploadedFile("copy.pdf", pdf)},
                         format="multipart")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {"file": SimpleUploadedFile("x.exe", b"MZ")},
                       format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()["error"]["fields"]
    missing = monitor.post(f"/api/v1/clues/{clue_id}/evidence/", {}, format="multipart")
    assert missing.status_code == 400
    detail = monitor.get(f"/api/v1/clues/{clue_id}/").json()
    assert [e["name"] for e in detail["evidence"]] == ["report.pdf"]


def test_evidence_appears_in_the_transfer_letter_materials(clue, luoyang, alice, bob):
    evidence, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", b"%PDF-1 x"))
    t = services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                               legal_basis="国务院第310号令", materials=[evidence.material_line, "线索摘要"])[0]
    assert t.transfer_letter.materials[0].startswith("比对报告.pdf")
    assert t.receipt_letter.materials == t.transfer_letter.materials


def test_case_page_shows_everything_to_participants_and_404_to_others(client, clue, luoyang, bob, erin):
    services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                           legal_basis="国务院第310号令", materials=["线索摘要"])
    client.force_login(bob)
    page = client.get(clue.get_absolute_url()).content.decode()
    for text in ("洛阳市第二实验中学教学楼工程", "移送函", "移送回执", "退回非本部门职责的移送材料", "洛阳 三(六)",
                 "全过程记录"):
        assert text in page, text
    client.force_login(erin)
    resp = client.get(clue.get_absolute_url())
    assert resp.status_code == 404 and "洛阳市第二实验中学" not in resp.content.decode()
    assert "洛阳市第二实验中学" not in client.get("/referrals/?q=实验中学").content.decode()


def test_transfer_form_errors_are_shown_with_the_fields(client, clue, bob):
    client.force_login(bob)
    resp = client.post(f"{clue.get_absolute_url()}transfer/", {"matter": "crime", "legal_basis": "",
                                                               "materials": "", "delivery_method": "system"})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert page.count("该字段是必填项") >= 2  # receivers, legal basis, materials
