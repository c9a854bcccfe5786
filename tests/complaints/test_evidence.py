"""Complaint evidence: the handling department opens it, the receiver of a transfer too; others get 404."""

from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from tests.casework.test_attachment_checks import PDF
from tests.complaints.conftest import complaint_input


def test_evidence_follows_the_complaint_to_the_competent_department(client, luoyang, bob, erin, dave, olga,
                                                                   alice):
    filed = services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:ev",
                                    files=[SimpleUploadedFile("证据.pdf", PDF)])
    evidence = services.evidence_of(filed.complaint)[0]
    assert evidence.department == luoyang["housing"] and evidence.uploaded_by is None
    url = evidence.get_absolute_url()
    for user, code in ((bob, 200), (dave, 200), (erin, 404), (olga, 404), (alice, 404)):
        client.force_login(user)
        assert client.get(url).status_code == code, user
    complaint = services.transfer_complaint(actor=bob, complaint=filed.complaint, to=luoyang["transport"],
                                            reasons="该项目为交通工程")
    client.force_login(erin)
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert f'href="/files/{evidence.pk}/"' in page


def test_api_detail_lists_files_with_download_url(luoyang, bob):
    from rest_framework.test import APIClient

    from casework.org.services import create_api_client

    filed = services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:ev2",
                                    files=[SimpleUploadedFile("证据.pdf", PDF)])
    _, token = create_api_client(name="housing-sys", department=luoyang["housing"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api.get(f"/api/v1/complaints/{filed.complaint.pk}/").json()
    assert [f["name"] for f in body["files"]] == ["证据.pdf"]
    assert b"".join(api.get(body["files"][0]["download_url"])) == PDF
