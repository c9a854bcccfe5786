"""Filing (public, API, offline), receipts, duplicates, tracking, and the supervision office fallback."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.clocks.services import clocks_for
from casework.errors import DomainError, Forbidden, NotFound
from casework.org.services import create_api_client
from complaints import services
from complaints.models import Complaint
from tests.complaints.conftest import ID_NUMBER, complaint_input


def form_data(luoyang, key="k-1", **overrides):
    data = {"submission_key": key, "complainant_type": "person", "complainant_name": "周明远",
            "complainant_id_number": ID_NUMBER, "contact_phone": "13800138000", "receiver": luoyang["housing"].code,
            "project_code": "LYGC2026-201", "project_name": "洛阳市某道路改造工程", "trading_type": "engineering",
            "grounds_category": "bid_rigging", "grounds": "中标候选人的投标文件由同一人编制，存在串通投标。",
            "requested_outcome": "请求依法查处。"}
    data.update(overrides)
    return data


def test_public_filing_gives_a_receipt_and_the_same_one_on_a_double_click(client, luoyang):
    first = client.post("/complaints/file/", form_data(luoyang))
    assert first.status_code == 302 and first["Location"] == "/complaints/receipt/"
    receipt = client.get("/complaints/receipt/").content.decode()
    complaint = Complaint.objects.get()
    assert complaint.tracking_code in receipt and complaint.channel == "online"
    secret = client.session["complaint_receipt"]["secret"]
    assert secret in receipt and complaint.secret_hash != secret
    client.post("/complaints/file/", form_data(luoyang))           # the same form submitted again
    assert Complaint.objects.count() == 1
    assert client.session["complaint_receipt"]["secret"] == secret   # the same receipt


def test_same_content_again_is_recognised_without_revealing_the_secret(client, luoyang):
    client.post("/complaints/file/", form_data(luoyang, key="a"))
    resp = client.post("/complaints/file/", form_data(luoyang, key="b"))
    page = resp.content.decode()
    assert "已提交过" in page and Complaint.objects.count() == 1
    assert "查询密码" in page and client.session["complaint_receipt"]["secret"] not in page


@pytest.mark.parametrize("overrides,field,message", [
    ({"complainant_id_number": "410302199001011234"}, "complainant_id_number", "校验位错误"),
    ({"complainant_type": "organisation", "complainant_id_number": "91410300MA9F1234X0"}, "complainant_id_number",
     "校验位错误"),
    ({"trading_type": "procurement"}, "objection_filed", "质疑"),
    ({"grounds_category": "evaluation"}, "objection_filed", "异议"),
    ({"contact_phone": "12"}, "contact_phone", "格式不正确"),
])
def test_bad_input_names_the_field_and_saves_nothing(client, luoyang, overrides, field, message):
    resp = client.post("/complaints/file/", form_data(luoyang, **overrides))
    assert resp.status_code == 400
    errors = resp.context["form"].errors
    assert field in errors and message in errors[field][0]
    assert Complaint.objects.count() == 0
    assert "洛阳市某道路改造工程" in resp.content.decode()  # nothing typed is lost


def test_tracking_needs_the_right_secret(client, filed):
    code = filed.complaint.tracking_code
    assert client.post("/complaints/track/", {"tracking_code": code, "secret": "WRONGWRONG"}).status_code == 404
    page = client.post("/complaints/track/", {"tracking_code": code.lower(), "secret": filed.secret.lower()})
    assert page.status_code == 200 and "待受理" in page.content.decode()
    with pytest.raises(NotFound):
        services.track(tracking_code="TNOPE", secret=filed.secret)


def test_the_supervision_office_receives_what_has_no_department(luoyang, dave):
    result = services.file_complaint(data=complaint_input(None, jurisdiction="410300"), channel="online",
                                     submission_key="web:nodept")
    assert result.complaint.department.is_supervision_office
    with pytest.raises(DomainError) as exc:
        services.file_complaint(data=complaint_input(None, jurisdiction="999999"), channel="online",
                                submission_key="web:x")
    assert "department" in exc.value.field_errors


def test_triage_clock_follows_the_trading_type(luoyang):
    eng = services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:e").complaint
    proc = services.file_complaint(data=complaint_input(luoyang, trading_type="procurement", objection_filed=True,
                                                        project_code="ZFCG-1"),
                                   channel="online", submission_key="web:p").complaint
    assert clocks_for(eng).get().rule_version.limit_display == "3个工作日"
    assert clocks_for(proc).get().rule_version.limit_display == "5个工作日"


def test_staff_record_offline_complaints_and_the_public_cannot(client, luoyang, bob):
    with pytest.raises(Forbidden):
        services.file_complaint(data=complaint_input(luoyang), channel="paper", submission_key="web:z")
    client.force_login(bob)
    missing = client.post("/complaints/new/", {**form_data(luoyang, key="off"), "channel": "phone"})
    assert missing.status_code == 400 and "请填写收到投诉日期" in missing.content.decode()
    today = timezone.localdate().isoformat()
    resp = client.post("/complaints/new/", {**form_data(luoyang, key="off"), "channel": "phone", "received_on": today})
    complaint = Complaint.objects.get()
    assert resp.status_code == 302 and complaint.channel == "phone" and complaint.recorded_by == bob


def test_api_filing_is_idempotent(luoyang):
    _, token = create_api_client(name="hotline", department=luoyang["drc"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"external_id": "12345-001", "complainant_type": "person", "complainant_name": "周明远",
            "complainant_id_number": ID_NUMBER, "contact_phone": "13800138000", "department": luoyang["housing"].code,
            "project_code": "LYGC2026-201", "project_name": "洛阳市某道路改造工程", "trading_type": "engineering",
            "grounds_category": "bid_rigging", "grounds": "串通投标。", "requested_outcome": "请求查处。"}
    first = api.post("/api/v1/complaints/", body, format="json")
    assert first.status_code == 201 and len(first.json()["secret"]) == 10
    again = api.post("/api/v1/complaints/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = api.post("/api/v1/complaints/", {**body, "external_id": "x2", "trading_type": "lottery"}, format="json")
    assert bad.status_code == 400 and "trading_type" in bad.json()["error"]["fields"]
    # The hotline filed it for the housing bureau: it reads the progress back and adds evidence to it.
    pk = first.json()["id"]
    read = api.get(f"/api/v1/complaints/{pk}/")
    assert read.status_code == 200 and read.json()["status"] == "submitted"
    assert "周明远" not in read.content.decode()  # identity stays masked for the filing system
    assert [c["id"] for c in api.get("/api/v1/complaints/").json()["results"]] == [pk]
    from django.core.files.uploadedfile import SimpleUploadedFile
    added = api.post(f"/api/v1/complaints/{pk}/evidence/", {"file": SimpleUploadedFile("中标公示.pdf", b"%PDF-1 x")},
                     format="multipart")
    assert added.status_code == 201
    from complaints.services import evidence_of
    assert len(evidence_of(Complaint.objects.get(pk=pk))) == 1
    # Another department's system still does not see it.
    _, other = create_api_client(name="transport-sys", department=luoyang["transport"])
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert stranger.get(f"/api/v1/complaints/{pk}/").status_code == 404


def test_evidence_with_the_filing_and_a_bad_file_keeps_nothing(client, luoyang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = form_data(luoyang, key="ev1", files=[SimpleUploadedFile("证据.pdf", b"%PDF-1 a"),
                                                SimpleUploadedFile("virus.exe", b"MZ")])
    resp = client.post("/complaints/file/", bad)
    assert resp.status_code == 400 and "不支持的文件类型" in resp.content.decode()
    assert Complaint.objects.count() == 0
    good = form_data(luoyang, key="ev2", files=[SimpleUploadedFile("证据.pdf", b"%PDF-1 a"),
                                                 SimpleUploadedFile("证据副本.pdf", b"%PDF-1 a")])
    assert client.post("/complaints/file/", good).status_code == 302
    complaint = Complaint.objects.get()
    assert [e.name for e in services.evidence_of(complaint)] == ["证据.pdf"]   # the same file twice is kept once


def test_transfer_receipt_is_signed_and_the_workbench_link_opens_the_complaint(client, filed, luoyang, bob, erin):
    from casework.letters.models import Letter

    complaint = services.transfer_complaint(actor=bob, complaint=filed.complaint, to=luoyang["transport"],
                                            reasons="该项目为交通工程")
    assert Letter.objects.filter(kind="receipt", addressee=luoyang["transport"]).exists()
    client.force_login(erin)
    assert client.get(f"/handoffs/{complaint.transfer_handoff.pk}/")["Location"] == complaint.get_absolute_url()
    assert client.post(f"{complaint.get_absolute_url()}sign/").status_code == 302
    complaint.transfer_handoff.refresh_from_db()
    assert complaint.transfer_handoff.state == "received"
