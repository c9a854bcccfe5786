"""Intake over REST and the web form: validation, idempotency, the push clock, the police copy."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from casework.clocks.models import Clock
from casework.events.services import timeline
from casework.notifications.models import Notification
from casework.org.services import create_api_client, load_org_preset
from referrals import services
from referrals.models import Clue
from tests.conftest import make_user, run_concurrently
from tests.referrals.conftest import clue_input, payload


def test_intake_201_with_clocks_and_citations(monitor, luoyang, bob):
    resp = monitor.post("/api/v1/clues/", payload(luoyang), format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "received" and body["reference"].startswith("XS")
    clocks = {c["rule"]: c for c in body["clocks"]}
    assert clocks["referral.push"]["state"] == "met"
    assert clocks["referral.push"]["rule_citation"].startswith("洛阳 三(一)")
    assert clocks["referral.transfer"]["state"] == "running"
    assert Notification.objects.filter(recipient=bob, kind="clue_received").exists()


def test_same_external_id_again_is_200_and_the_same_clue(monitor, luoyang):
    body = payload(luoyang)
    first = monitor.post("/api/v1/clues/", body, format="json").json()
    again = monitor.post("/api/v1/clues/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert Clue.objects.count() == 1


def test_different_payload_under_same_external_id_is_409(monitor, luoyang):
    monitor.post("/api/v1/clues/", payload(luoyang), format="json")
    resp = monitor.post("/api/v1/clues/", payload(luoyang, summary="另一条线索"), format="json")
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert "external_id" in error["fields"] and "MON-2026-0001" in error["message"]


@pytest.mark.parametrize("overrides,field,message", [
    ({"supervising_department": "NOPE"}, "supervising_department", "单位代码“NOPE”不存在"),
    ({"supervising_department": "LY-POLICE"}, "supervising_department", "不是公共资源交易的行政监督部门"),
    ({"supervising_department": "LY-AUDIT"}, "supervising_department", "由其移送公安、纪检监察等机关"),
    ({"discovered_at": "2026-11-20T09:30:00"}, "discovered_at", "须带时区"),
    ({"discovered_at": "yesterday"}, "discovered_at", "ISO 8601"),
    ({"discovered_at": "2099-01-01T00:00:00+08:00"}, "discovered_at", "不能晚于当前时间"),
    ({"signal_type": "gut_feeling"}, "signal_type", ""),
    ({"bidders": [{"name": "丙公司", "uscc": "91410300MA9F1234X0"}]}, "bidders.0.uscc", "校验位错误"),
    ({"project_name": ""}, "project_name", ""),
])
def test_bad_input_is_400_naming_the_field(monitor, luoyang, overrides, field, message):
    resp = monitor.post("/api/v1/clues/", payload(luoyang, **overrides), format="json")
    assert resp.status_code == 400, resp.content
    fields = resp.json()["error"]["fields"]
    assert field in fields, fields
    assert message in fields[field][0]
    assert Clue.objects.count() == 0


def test_missing_fields_are_all_named(monitor):
    resp = monitor.post("/api/v1/clues/", {}, format="json")
    assert resp.status_code == 400
    assert {"external_id", "project_code", "discovered_at", "signal_type", "supervising_department"} <= set(
        resp.json()["error"]["fields"])


def test_oversized_body_is_413(monitor, luoyang):
    resp = monitor.post("/api/v1/clues/", payload(luoyang, summary="很长" * 200_000), format="json")
    assert resp.status_code == 413 and "256 KB" in resp.json()["error"]["message"]


def test_no_token_401_and_non_trading_centre_403(luoyang, monitor):
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/clues/", payload(luoyang), format="json").status_code == 401
    _, token = create_api_client(name="housing-sys", department=luoyang["housing"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    resp = api.post("/api/v1/clues/", payload(luoyang), format="json")
    assert resp.status_code == 403 and "交易中心" in resp.json()["error"]["message"]


def test_late_push_is_recorded_against_the_trading_centre(luoyang, alice):
    discovered = timezone.now() - dt.timedelta(days=10)
    clue = services.intake_clue(actor=alice, data=clue_input(luoyang, discovered_at=discovered.isoformat())).clue
    push = Clock.objects.get(rule_version__rule__key="referral.push", subject_id=str(clue.pk))
    assert push.state == Clock.State.BREACHED and push.department == luoyang["trading_centre"]
    assert timeline(clue).filter(action="clue.pushed_late").exists()


def test_bid_rigging_is_copied_to_police_where_the_profile_says_so(db):
    depts = {d.type: d for d in load_org_preset(preset="weihai") if d.jurisdiction.code == "371000"}
    officer = make_user("wei", depts["trading_centre"], "handler")
    police_officer = make_user("wang", depts["police"], "handler")
    data = clue_input({"housing": depts["housing"]})
    clue = services.intake_clue(actor=officer, data=data).clue
    assert [c.department for c in clue.copies.all()] == [depts["police"]]
    assert clue.copies.get().basis == "威海 (八)"
    assert police_officer.has_perm("referrals.view_clue", clue)
    assert Notification.objects.filter(recipient=police_officer, kind="clue_copy").exists()
    other = services.intake_clue(actor=officer, data=clue_input({"housing": depts["housing"]},
                                 external_id="X2", signal_type="urgent_tender_plan")).clue
    assert not other.copies.exists()


def test_luoyang_does_not_copy_to_police(clue):
    assert not clue.copies.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_requests_racing_make_one_clue(luoyang, alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    data = clue_input(luoyang)  # the very same request, four times at once
    results, errors = run_concurrently(*[lambda: services.intake_clue(actor=alice, data=data)] * 4)
    assert not errors, errors
    assert Clue.objects.count() == 1
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.clue.pk for r in results}) == 1
    assert Clock.objects.filter(rule_version__rule__key="referral.push").count() == 1


def test_web_form_double_submit_makes_one_clue(client, luoyang, alice):
    client.force_login(alice)
    page = client.get("/referrals/new/")
    key = page.context["form"].initial["submission_key"]
    form = {**payload(luoyang, external_id=""), "submission_key": key,
            "discovered_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "bidders": "甲建设有限公司,"}
    first = client.post("/referrals/new/", form)
    second = client.post("/referrals/new/", form, follow=True)
    assert first.status_code == 302 and Clue.objects.count() == 1
    assert "已提交过" in second.content.decode()


def test_web_form_bad_file_keeps_nothing_and_says_why(client, luoyang, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    form = {**payload(luoyang, external_id=""), "submission_key": "k1", "bidders": "",
            "discovered_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "files": [SimpleUploadedFile("evil.exe", b"MZ...")]}
    resp = client.post("/referrals/new/", form)
    assert resp.status_code == 200 and "不支持的文件类型" in resp.content.decode()
    assert Clue.objects.count() == 0
    assert "洛阳市第二实验中学教学楼工程" in resp.content.decode()  # what was typed is still there


def test_web_form_offers_only_supervising_departments(client, luoyang, alice):
    """Luoyang 三(一): the centre pushes to the project's supervising department; police, audit, courts and the
    centre itself are not offered (the supervising department transfers to them)."""
    client.force_login(alice)
    offered = set(client.get("/referrals/new/").context["form"].fields["supervising_department"].queryset
                  .values_list("type", flat=True))
    assert "housing" in offered and "transport" in offered
    assert not offered & {"police", "audit", "court", "procuratorate", "discipline", "trading_centre"}
