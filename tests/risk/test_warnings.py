"""Screening runs raise warnings once; officers see them scoped like clues, dismiss them with reasons
or turn them into clues through the normal intake; other systems read them over the API."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casework.clocks.models import Clock
from casework.events.models import Event
from casework.org.models import Membership
from casework.org.services import load_org_preset
from referrals.models import Clue, ClueCopy
from risk import services
from risk.models import ScreenProfile, Warning
from tests.conftest import make_user
from tests.risk.conftest import firm, tender_input, tender_payload

pytestmark = pytest.mark.django_db


def ring_warning():
    return Warning.objects.get(screen="ring")


def test_screening_finds_the_ring_its_rotation_and_the_shared_mac(ring_data, luoyang):
    result = services.run_screening()
    assert result.created == Warning.objects.count() and result.tenders == 158
    screens = sorted(Warning.objects.values_list("screen", flat=True))
    assert screens == ["fingerprint", "ring", "rotation"]
    ring = ring_warning()
    assert [b["uscc"] for b in ring.bidders] == sorted([firm(0), firm(1), firm(2)])
    assert ring.tenders.count() == 8 and ring.numbers["together"] == 8
    assert ring.explanation.startswith(
        "甲建设有限公司、乙建筑工程有限公司、丙路桥有限公司 在 8 次招标中共同投标 8 次，随机预期")
    assert ring.source_department == luoyang["trading_centre"] and ring.supervising_department == luoyang["housing"]
    fp = Warning.objects.get(screen="fingerprint")
    assert "网卡 MAC 地址相同" in fp.explanation and [t.tender_id for t in fp.tenders.all()] == ["RING-0"]
    assert Event.objects.filter(action="risk.warning_raised").count() == 3


def test_rerunning_never_duplicates_and_keeps_decisions(ring_data, alice, luoyang):
    services.run_screening()
    services.dismiss_warning(actor=alice, warning=Warning.objects.get(screen="fingerprint"),
                             reason="两家公司同属一个集团，已在资格审查时说明，并非串标。")
    again = services.run_screening()
    assert again.created == 0 and again.unchanged == 2 and again.kept_decided == 1
    assert Warning.objects.count() == 3
    # one more joint tender: the open ring warning is updated in place
    services.intake_tender(actor=alice, data=tender_input(tender_payload(
        luoyang, tender_id="RING-8", bidders=(0, 1, 2), winner=2, days_ago=5)), schedule=False)
    third = services.run_screening()
    assert third.created == 0 and third.updated == 2
    assert ring_warning().numbers["together"] == 9 and Warning.objects.count() == 3
    assert Warning.objects.get(screen="fingerprint").status == "dismissed"


def test_the_command_and_since(ring_data):
    out = io.StringIO()
    call_command("screen_tenders", since=(dt.date.today() + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert "新增预警 0 条" in out.getvalue() and Warning.objects.count() == 0
    call_command("screen_tenders", stdout=out)
    assert "新增预警 3 条" in out.getvalue()
    call_command("screen_tenders", stdout=out)
    assert "新增预警 0 条，更新 0 条，未变 3 条" in out.getvalue()


def test_thresholds_come_from_the_jurisdictions_profile(ring_data, luoyang):
    ScreenProfile.objects.create(jurisdiction=luoyang["housing"].jurisdiction,
                                 thresholds={"ring": {"min_cobids": 9}, "fingerprint": {"fields": ["ip"]}})
    services.run_screening()
    assert Warning.objects.count() == 0


@pytest.fixture
def screened(ring_data):
    services.run_screening()
    return ring_warning()


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_who_sees_the_warnings(client, screened, alice, bob, carol, dave, erin, olga):
    url = f"/risk/warnings/{screened.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (alice, bob, carol, dave):
        r = page(client, user, url)
        assert r.status_code == 200 and "随机预期" in r.content.decode(), user
    for user in (erin, olga):  # another department; an administrator is not a case role
        assert page(client, user, url).status_code == 404
        listing = page(client, user, "/risk/").content.decode()
        assert screened.get_absolute_url() not in listing and "共 0 条" in listing
    listing = page(client, bob, "/risk/?screen=ring").content.decode()
    assert screened.get_absolute_url() in listing and 'data-screen="rotation"' not in listing


def test_the_ring_page_draws_the_network_from_local_files(client, screened, alice):
    html = page(client, alice, f"/risk/warnings/{screened.pk}/").content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html and 'id="ring-graph"' in html
    assert "<th>交易类型</th><td>工程建设招标投标</td>" in html and "<th>随机预期次数</th>" in html
    assert "http://" not in html.split("<main>")[0] and "https://" not in html.split("<main>")[0]
    assert client.get("/static/vendor/echarts/echarts.min.js").status_code == 200


def test_bidder_history_is_scoped(client, screened, alice, erin):
    r = page(client, alice, f"/risk/bidders/{firm(0)}/")
    html = r.content.decode()
    assert r.status_code == 200 and "投标 8 次" in html and "抱团投标" in html
    assert page(client, erin, f"/risk/bidders/{firm(0)}/").status_code == 404


def test_only_the_trading_centre_decides_and_a_reason_is_required(client, screened, alice, bob):
    with pytest.raises(Exception, match="交易中心"):
        services.dismiss_warning(actor=bob, warning=screened, reason="不构成串标，理由充分。")
    with pytest.raises(Exception, match="排除理由"):
        services.dismiss_warning(actor=alice, warning=screened, reason="  ")
    client.force_login(alice)
    r = client.post(f"/risk/warnings/{screened.pk}/dismiss/", {"reason": "三家企业为联合体成员，依法共同投标。"})
    assert r.status_code == 302
    screened.refresh_from_db()
    assert screened.status == "dismissed" and screened.decided_by == alice
    event = Event.objects.get(action="risk.warning_dismissed")
    assert event.reason == "三家企业为联合体成员，依法共同投标。"
    r = client.post(f"/risk/warnings/{screened.pk}/clue/", follow=True)
    assert "已排除，不能再转为线索" in r.content.decode()


def test_a_warning_becomes_a_clue_in_one_step(client, screened, alice, frozen):
    client.force_login(alice)
    r = client.post(f"/risk/warnings/{screened.pk}/clue/", {"note": "建议重点核查三家企业的关联关系。"})
    clue = Clue.objects.get()
    assert r.status_code == 302 and r["Location"] == clue.get_absolute_url()
    again = client.post(f"/risk/warnings/{screened.pk}/clue/")  # the double click
    assert again.status_code == 302 and Clue.objects.count() == 1
    screened.refresh_from_db()
    assert screened.status == "clued" and screened.clue == clue
    assert clue.signal_type == "related_bidders" and clue.discovered_at == screened.detected_at
    assert clue.external_id == f"RISK-{screened.pk}" and len(clue.bidders) == 3
    assert "共同投标 8 次" in clue.summary and "建议重点核查" in clue.summary
    push = Clock.objects.get(rule_version__rule__key="referral.push")
    assert push.started_at == screened.detected_at and push.state == "met"
    assert not ClueCopy.objects.exists()  # Luoyang does not copy clues to the police


def test_weihai_copies_a_bid_rigging_warning_to_the_police(db):
    depts = {d.type: d for d in load_org_preset(preset="weihai") if d.jurisdiction.code == "371000"}
    officer = make_user("wh-officer", depts["trading_centre"], Membership.Role.HANDLER)
    payload = tender_payload(depts, bidders=(0, 1, 2))
    payload["bids"][1]["file_fingerprint"] = payload["bids"][0]["file_fingerprint"]
    services.intake_tender(actor=officer, data=tender_input(payload), schedule=False)
    services.run_screening()
    warning = Warning.objects.get(screen="fingerprint")
    clue = services.warning_to_clue(actor=officer, warning=warning)
    assert clue.signal_type == "bid_file_fingerprint"
    assert ClueCopy.objects.get(clue=clue).department.type == "police"


def test_warnings_api(screened, luoyang, alice, erin):
    api = APIClient()
    assert api.get("/api/v1/risk/warnings/").status_code == 401
    api.force_authenticate(alice)
    body = api.get("/api/v1/risk/warnings/?screen=ring").json()
    assert body["count"] == 1 and body["results"][0]["id"] == screened.pk
    assert len(body["results"][0]["tenders"]) == 8 and "随机预期" in body["results"][0]["explanation"]
    assert api.get(f"/api/v1/risk/warnings/?bidder={firm(1)}").json()["count"] == 3
    assert api.get(f"/api/v1/risk/warnings/{screened.pk}/").json()["screen"] == "ring"
    api.force_authenticate(erin)
    assert api.get("/api/v1/risk/warnings/").json()["count"] == 0
    assert api.get(f"/api/v1/risk/warnings/{screened.pk}/").status_code == 404
