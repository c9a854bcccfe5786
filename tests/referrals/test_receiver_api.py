"""A receiving organ's own case system (the police here) acts on a clue transfer over REST, through the same
services, letters and clocks as the page: sign, accept, result; return with reasons; forward to another level."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.letters.models import Letter
from casework.org.services import create_api_client, ensure_department, ensure_jurisdiction
from referrals import services
from referrals.models import Matter, Transfer
from tests.referrals.test_handling import BASIS


def system(dept, name):
    _, token = create_api_client(name=name, department=dept)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture
def transferred(clue, luoyang, bob):
    return services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                                  legal_basis=BASIS, materials=["线索摘要及交易记录"])[0]


def url(t, action):
    return f"/api/v1/clues/{t.clue_id}/transfers/{t.pk}/{action}/"


def test_police_system_signs_accepts_and_reports_the_result(luoyang, transferred, frozen):
    frozen(transferred.delivered_at + dt.timedelta(hours=2))
    police = system(luoyang["police"], "police-case-system")
    signed = police.post(url(transferred, "sign"), {}, format="json")
    assert signed.status_code == 200, signed.content
    assert signed.json()["transfers"][0]["receipt_signed_at"]
    again = police.post(url(transferred, "sign"), {}, format="json")
    assert again.status_code == 409  # a retry is told, not redone
    naive = police.post(url(transferred, "accept"), {"decided_at": "2026-11-20T09:30:00"}, format="json")
    assert naive.status_code == 400 and "decided_at" in naive.json()["error"]["fields"]
    decided_at = timezone.localtime(transferred.delivered_at + dt.timedelta(minutes=30)).isoformat()
    assert police.post(url(transferred, "accept"), {"decided_at": decided_at}, format="json").status_code == 200
    short = police.post(url(transferred, "result"), {"result": "已"}, format="json")
    assert short.status_code == 400 and "result" in short.json()["error"]["fields"]
    done_at = timezone.localtime(transferred.delivered_at + dt.timedelta(hours=1)).isoformat()
    done = police.post(url(transferred, "result"), {"result": "已立案侦查，三名投标人涉嫌串通投标罪。",
                                                    "completed_at": done_at}, format="json")
    assert done.status_code == 200, done.content
    transferred.refresh_from_db()
    assert transferred.result.startswith("已立案侦查") and transferred.handoff.state == "completed"
    assert transferred.completed_at == dt.datetime.fromisoformat(done_at)


def test_police_system_returns_with_reasons_and_a_letter(luoyang, transferred):
    police = system(luoyang["police"], "police-case-system")
    bare = police.post(url(transferred, "return"), {"reasons": "不归我管"}, format="json")
    assert bare.status_code == 400 and "reasons" in bare.json()["error"]["fields"]
    back = police.post(url(transferred, "return"), {"reasons": "经审查，该线索不涉嫌刑事犯罪，应由行业主管部门处理。"},
                       format="json")
    assert back.status_code == 200, back.content
    transferred.refresh_from_db()
    assert transferred.return_letter.kind == Letter.Kind.RETURN


def test_police_system_forwards_to_another_level(luoyang, transferred):
    city = luoyang["police"].jurisdiction
    district = ensure_jurisdiction(code="410305", name="涧西区", level="district", parent=city)
    branch = ensure_department(code="LY-POLICE-JX", name="洛阳市公安局涧西分局", type="police",
                               jurisdiction=district, parent=luoyang["police"])
    police = system(luoyang["police"], "police-case-system")
    unknown = police.post(url(transferred, "forward"), {"to_department": "NOPE", "reasons": "属地管辖"},
                          format="json")
    assert unknown.status_code == 400 and "to_department" in unknown.json()["error"]["fields"]
    moved = police.post(url(transferred, "forward"),
                        {"to_department": branch.code, "reasons": "案发地属涧西区，属地管辖"}, format="json")
    assert moved.status_code == 200, moved.content
    assert Transfer.objects.filter(parent=transferred, receiver=branch).exists()
    transferred.refresh_from_db()
    assert transferred.forward_letter is not None


def test_only_the_receiver_acts_and_others_do_not_see_it(luoyang, transferred):
    housing = system(luoyang["housing"], "housing-system")  # the sender
    assert housing.post(url(transferred, "accept"), {}, format="json").status_code == 403
    transport = system(luoyang["transport"], "transport-system")
    assert transport.post(url(transferred, "accept"), {}, format="json").status_code == 404
    police = system(luoyang["police"], "police-case-system")
    bad = police.post(url(transferred, "approve"), {}, format="json")
    assert bad.status_code == 400 and "action" in bad.json()["error"]["fields"]
    assert APIClient().post(url(transferred, "accept"), {}, format="json").status_code == 401
