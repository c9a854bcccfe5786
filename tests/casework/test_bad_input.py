"""Inputs that gave 500s or were accepted unbounded: each is a 400/413 in JSON (API) or on the form (pages),
naming the field, and nothing is written."""

import json

import pytest

from complaints.models import Complaint
from referrals.models import Clue
from tests.complaints.test_filing import form_data
from tests.referrals.conftest import monitor, payload  # noqa: F401  (fixture)


def error_fields(resp) -> dict:
    assert resp["Content-Type"].startswith("application/json"), resp.content[:200]
    return resp.json()["error"]["fields"]


@pytest.mark.parametrize("number", ["41030219900101123²", "４１０３０２１９９００１０１１２３Ｘ", "٤١٠٣٠٢١٩٩٠٠١٠١١٢٣٤"])
def test_resident_id_with_non_ascii_digits_is_refused_on_the_form(client, luoyang, number):
    resp = client.post("/complaints/file/", form_data(luoyang, complainant_id_number=number))
    assert resp.status_code == 400
    assert "半角数字" in resp.context["form"].errors["complainant_id_number"][0]
    assert Complaint.objects.count() == 0


def test_resident_id_with_superscript_digit_is_a_400_on_the_api(monitor, luoyang):  # noqa: F811
    body = {"external_id": "X-1", "complainant_type": "person", "complainant_name": "周明远",
            "complainant_id_number": "41030219900101123²", "contact_phone": "13800138000",
            "department": luoyang["housing"].code, "project_code": "P-1", "project_name": "某工程",
            "trading_type": "engineering", "grounds_category": "bid_rigging", "grounds": "串通投标",
            "requested_outcome": "查处"}
    resp = monitor.post("/api/v1/complaints/", body, format="json")
    assert resp.status_code in (400, 403)
    if resp.status_code == 400:
        assert "complainant_id_number" in error_fields(resp)


def test_json_nested_5000_deep_is_a_400(monitor, luoyang):  # noqa: F811
    body = '{"details": ' + "[" * 5000 + "]" * 5000 + "}"
    resp = monitor.post("/api/v1/clues/", body, content_type="application/json")
    assert resp.status_code == 400 and "嵌套过深" in resp.json()["error"]["message"]
    nested = 1
    for _ in range(40):
        nested = [nested]
    deep = payload(luoyang, details={"a": nested})
    resp = monitor.post("/api/v1/clues/", deep, format="json")
    assert resp.status_code == 400
    assert Clue.objects.count() == 0


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00-12:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_discovered_at_out_of_range_is_a_400_naming_it(monitor, luoyang, value):  # noqa: F811
    resp = monitor.post("/api/v1/clues/", payload(luoyang, discovered_at=value), format="json")
    assert resp.status_code == 400 and "discovered_at" in error_fields(resp)
    assert Clue.objects.count() == 0


@pytest.mark.parametrize("since,until", [("0001-01-01", "2026-11-01"), ("2026-11-01", "9999-12-01"),
                                         ("9999-12-01", "9999-12-31")])
def test_statistics_with_extreme_dates_is_a_400_naming_the_field(client, bob, since, until):
    client.force_login(bob)
    for url in ("/complaints/statistics/", "/complaints/statistics.xlsx"):
        resp = client.get(url, {"since": since, "until": until})
        assert resp.status_code == 400, url
        assert "年份须在" in resp.content.decode() or "期间" in resp.content.decode()


@pytest.mark.parametrize("query", ["limit=100000000000000000000000", "limit=-1", "limit=abc", "offset=1e30",
                                   "offset=100000000000000000000000", "limit=0"])
def test_huge_or_bad_page_parameters_are_a_400(monitor, query):  # noqa: F811
    resp = monitor.get(f"/api/v1/departments/?{query}")
    assert resp.status_code == 400
    assert set(error_fields(resp)) & {"limit", "offset"}


def test_a_big_body_answers_413_json(monitor):  # noqa: F811
    body = json.dumps({"summary": "线" * (2 * 1024 * 1024)})
    resp = monitor.post("/api/v1/clues/", body, content_type="application/json")
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "payload_too_large"
    resp = monitor.post("/api/v1/complaints/", body, content_type="application/json")
    assert resp.status_code == 413


def test_full_width_credit_code_is_refused(luoyang, bob):
    from casework.errors import DomainError
    from credit.services import ensure_subject

    with pytest.raises(DomainError) as err:
        ensure_subject(actor=bob, type="expert", code="ＥＸＰ－０００１", name="张三")
    assert "code" in err.value.field_errors


def test_a_450000_character_complaint_is_refused_naming_the_field(client, luoyang):
    resp = client.post("/complaints/file/", form_data(luoyang, grounds="串" * 450_000))
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "grounds" in page and "过长" in page
    assert Complaint.objects.count() == 0


def test_form_fields_carry_the_api_limits(client, luoyang):
    resp = client.post("/complaints/file/", form_data(luoyang, requested_outcome="请" * 5_001))
    assert resp.status_code == 400 and "requested_outcome" in resp.context["form"].errors
    resp = client.post("/complaints/report/", {"submission_key": "r1", "receiver": luoyang["housing"].code,
                                               "project_name": "某工程", "summary": "举" * 20_001})
    assert resp.status_code == 400 and "summary" in resp.content.decode()
    assert 'maxlength="20000"' in client.get("/complaints/file/").content.decode()


def test_every_staff_form_is_capped_too(client, bob):
    client.force_login(bob)
    resp = client.post("/referrals/new/", {"summary": "线" * 20_001, "project_name": "x"})
    assert resp.status_code == 400 and "summary" in resp.content.decode()
