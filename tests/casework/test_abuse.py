"""Rate limits (public filing, anonymous reports, tracking, the API per token and per address) answer 429 in
Chinese; the local image CAPTCHA appears on the public forms after a few submissions from one address."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from casework.org.services import create_api_client
from complaints.models import Complaint
from tests.complaints.test_filing import form_data


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def limits(**changes):
    return override_settings(PORTAL_RATE_LIMITS={**settings.PORTAL_RATE_LIMITS, **changes})


def report_data(luoyang, key):
    return {"submission_key": key, "receiver": luoyang["housing"].code, "project_name": "某道路工程",
            "summary": "评标专家与投标人存在利害关系。"}


@limits(complaint_file="3/600")
def test_public_filing_is_limited_per_address(client, luoyang):
    for i in range(3):
        assert client.post("/complaints/file/", form_data(luoyang, key=f"k{i}", project_code=f"P-{i}")).status_code \
            in (200, 302)
    resp = client.post("/complaints/file/", form_data(luoyang, key="k9", project_code="P-9"))
    assert resp.status_code == 429 and "操作过于频繁" in resp.content.decode()
    assert int(resp["Retry-After"]) > 0
    assert Complaint.objects.count() == 3
    assert client.get("/complaints/file/").status_code == 200  # reading the form is not counted
    other = client.post("/complaints/file/", form_data(luoyang, key="k8", project_code="P-8"),
                        REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 302


@limits(complaint_report="2/600", complaint_track="2/300")
def test_reports_and_tracking_are_limited(client, luoyang):
    assert client.post("/complaints/report/", report_data(luoyang, "a")).status_code == 200
    assert client.post("/complaints/report/", report_data(luoyang, "b")).status_code == 200
    assert client.post("/complaints/report/", report_data(luoyang, "c")).status_code == 429
    for _ in range(2):
        assert client.post("/complaints/track/", {"tracking_code": "TS-XXXX", "secret": "guess"}).status_code == 404
    resp = client.post("/complaints/track/", {"tracking_code": "TS-XXXX", "secret": "guess"})
    assert resp.status_code == 429 and "操作过于频繁" in resp.content.decode()


@limits(api_token="3/60")
def test_api_is_limited_per_token(luoyang):
    _, token = create_api_client(name="busy", department=luoyang["trading_centre"])
    _, other_token = create_api_client(name="calm", department=luoyang["trading_centre"])
    busy, calm = APIClient(), APIClient()
    busy.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    calm.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    for _ in range(3):
        assert busy.get("/api/v1/departments/").status_code == 200
    resp = busy.get("/api/v1/departments/")
    assert resp.status_code == 429
    assert resp.json()["error"]["code"] == "throttled" and "操作过于频繁" in resp.json()["error"]["message"]
    assert int(resp["Retry-After"]) > 0
    assert calm.get("/api/v1/departments/").status_code == 200


@limits(api_address="2/60")
def test_api_without_a_token_is_limited_per_address(client, bob):
    client.force_login(bob)  # a browser session on the API
    assert client.get("/api/v1/departments/").status_code == 200
    assert client.get("/api/v1/departments/").status_code == 200
    assert client.get("/api/v1/departments/").status_code == 429
    assert client.get("/api/v1/departments/", REMOTE_ADDR="192.0.2.9").status_code == 200


def captcha_answer(page: str) -> tuple[str, str]:
    import re

    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response


@override_settings(PORTAL_CAPTCHA_AFTER=2)
def test_captcha_appears_after_a_few_submissions_from_one_address(client, luoyang):
    assert "captcha" not in client.get("/complaints/file/").content.decode()
    client.post("/complaints/file/", form_data(luoyang, key="c1", project_code="C-1"))
    client.post("/complaints/report/", report_data(luoyang, "r1"))
    page = client.get("/complaints/file/").content.decode()
    assert 'name="captcha_1"' in page and "/captcha/image/" in page and "验证码" in page

    resp = client.post("/complaints/file/", form_data(luoyang, key="c2", project_code="C-2"))
    assert resp.status_code == 400 and "请输入图中的验证码" in resp.content.decode()
    key, answer = captcha_answer(client.get("/complaints/file/").content.decode())
    resp = client.post("/complaints/file/", form_data(luoyang, key="c2", project_code="C-2", captcha_0=key,
                                                      captcha_1="WRONG"))
    assert resp.status_code == 400 and "验证码不正确" in resp.content.decode()
    assert Complaint.objects.count() == 1
    key, answer = captcha_answer(client.get("/complaints/file/").content.decode())
    image = client.get(f"/captcha/image/{key}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    resp = client.post("/complaints/file/", form_data(luoyang, key="c2", project_code="C-2", captcha_0=key,
                                                      captcha_1=answer))
    assert resp.status_code == 302 and Complaint.objects.count() == 2
    assert "captcha" in client.get("/complaints/report/").content.decode()
    # another address is not asked
    assert "captcha_1" not in client.get("/complaints/file/", REMOTE_ADDR="192.0.2.7").content.decode()


@override_settings(PORTAL_CAPTCHA_AFTER=0)
def test_staff_recording_offline_complaints_are_never_asked(client, bob):
    client.force_login(bob)
    assert "captcha_1" not in client.get("/complaints/file/").content.decode()
