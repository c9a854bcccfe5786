"""Assistance materials and result files: kept once, opened by exactly the requester and the assisting organ
(and the supervisor); download_url in the API opens with the token."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from casework.attachments.services import attachments_of
from casework.letters.models import Letter
from casework.org.services import create_api_client
from jointaction import services
from tests.casework.test_attachment_checks import PDF, PNG
from tests.jointaction.test_assistance import ask


def test_materials_reach_the_assisting_organ_and_nobody_else(client, bob, carol, mark, dave, erin, olga, luoyang):
    req, _ = ask(bob, luoyang, uploads=[SimpleUploadedFile("立案审批表.pdf", PDF)])
    material = attachments_of(req).get()
    assert list(req.request_letter.attachments.all()) == [material]
    for user, code in ((bob, 200), (carol, 200), (mark, 200), (dave, 200), (erin, 404), (olga, 404)):
        client.force_login(user)
        response = client.get(material.get_absolute_url())
        assert response.status_code == code, user
        if code == 200:
            assert response.content == PDF
    client.force_login(mark)
    page = client.get(req.get_absolute_url()).content.decode()
    assert f'href="/files/{material.pk}/"' in page and "立案审批表.pdf" in page


def test_result_feedback_carries_files(client, bob, mark, erin, luoyang):
    req, _ = ask(bob, luoyang)
    services.accept_assistance(actor=mark, request=req)
    req = services.report_assistance_result(actor=mark, request=req, uploads=[SimpleUploadedFile("登记档案.png", PNG)],
                                            result="经查询，甲公司与乙公司股东均为同一自然人，详见所附登记档案。")
    result_file = attachments_of(req, "result").get()
    assert req.result_letter.kind == Letter.Kind.ASSISTANCE_RESULT
    assert list(req.result_letter.attachments.all()) == [result_file]
    assert req.result_letter.materials == [result_file.material_line]
    client.force_login(bob)
    assert client.get(result_file.get_absolute_url()).content == PNG
    client.force_login(erin)
    assert client.get(result_file.get_absolute_url()).status_code == 404


def test_api_detail_gives_download_urls(bob, mark, luoyang):
    req, _ = ask(bob, luoyang, uploads=[SimpleUploadedFile("立案审批表.pdf", PDF)])
    _, token = create_api_client(name="market-sys", department=luoyang["market_regulation"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api.get(f"/api/v1/assistance/{req.pk}/").json()
    url = body["files"][0]["download_url"]
    assert body["files"][0]["name"] == "立案审批表.pdf"
    assert b"".join(api.get(url)) == PDF
    _, other = create_api_client(name="transport-sys", department=luoyang["transport"])
    outsider = APIClient()
    outsider.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert outsider.get(url).status_code == 404
