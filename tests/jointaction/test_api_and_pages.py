"""The REST interface other systems use, and the pages staff use, over the same services."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from casework.org.services import create_api_client
from jointaction.models import AssistanceRequest, JointAction
from tests.conftest import at
from tests.jointaction.test_joint_actions import PLAN, duties, start

pytestmark = pytest.mark.django_db


def api_for(dept, name):
    _, token = create_api_client(name=name, department=dept)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


BODY = {"external_id": "GA-XZ-2026-007", "requester": None, "assistant": None, "case_name": "某工程串通投标案",
        "case_summary": "我局侦办的串通投标案件，需核实投标企业的登记信息。",
        "matters": "提供甲公司、乙公司的股东及法定代表人登记信息。", "reasons": "核实两家公司是否存在关联关系。",
        "materials": ["立案决定书"], "reply_by": "2026-12-04"}


def test_a_police_system_sends_and_the_market_regulators_system_answers(luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    police = api_for(luoyang["police"], "police-case-system")
    body = {**BODY, "requester": luoyang["police"].code, "assistant": luoyang["market_regulation"].code}
    first = police.post("/api/v1/assistance/", body, format="json")
    assert first.status_code == 201, first.content
    again = police.post("/api/v1/assistance/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    changed = police.post("/api/v1/assistance/", {**body, "matters": "另一事项：提供丙公司的登记信息。"}, format="json")
    assert changed.status_code == 409, changed.content
    assert "内容不同" in changed.json()["error"]["fields"]["external_id"][0]
    assert AssistanceRequest.objects.count() == 1
    data = first.json()
    assert data["state"] == "sent" and data["letters"][0]["kind"] == "assistance"
    assert {c["rule"] for c in data["clocks"]} == {"assistance.review", "assistance.return"}

    bad = police.post("/api/v1/assistance/", {**body, "external_id": "x2", "materials": [], "assistant": "nope"},
                      format="json")
    assert bad.status_code == 400 and "materials" in bad.json()["error"]["fields"]
    unknown = police.post("/api/v1/assistance/", {**body, "external_id": "x3", "assistant": "nope"}, format="json")
    assert unknown.status_code == 400 and "assistant" in unknown.json()["error"]["fields"]
    foreign = police.post("/api/v1/assistance/", {**body, "external_id": "x4",
                                                   "requester": luoyang["housing"].code}, format="json")
    assert foreign.status_code == 403

    market = api_for(luoyang["market_regulation"], "market-system")
    url = f"/api/v1/assistance/{data['id']}/answer/"
    refused = market.post(url, {"decision": "return", "text": "不"}, format="json")
    assert refused.status_code == 400 and "reasons" in refused.json()["error"]["fields"]
    assert market.post(url, {"decision": "accept"}, format="json").json()["state"] == "assisting"
    done = market.post(url, {"decision": "result", "text": "两家公司法定代表人为同一人，登记信息见附件。"},
                       format="json")
    assert done.status_code == 200 and done.json()["state"] == "completed"
    assert market.post(url, {"decision": "accept"}, format="json").status_code == 409   # already completed
    assert police.post(url, {"decision": "accept"}, format="json").status_code == 403   # only the assisting organ
    transport = api_for(luoyang["transport"], "transport-system")
    assert transport.get(f"/api/v1/assistance/{data['id']}/").status_code == 404


def test_joint_actions_are_readable_by_participants_only(luoyang, bob):
    action = start(bob, luoyang)
    market = api_for(luoyang["market_regulation"], "market-system")
    listed = market.get("/api/v1/joint-actions/").json()
    assert [a["reference"] for a in listed["results"]] == [action.reference] and listed["count"] == 1
    assert api_for(luoyang["transport"], "transport-sys").get(f"/api/v1/joint-actions/{action.pk}/").status_code == 404


def test_assistance_form_errors_name_the_fields_and_success_redirects(client, bob, luoyang):
    client.force_login(bob)
    assert client.get(reverse("jointaction:index")).status_code == 200
    url = reverse("jointaction:assistance_new")
    assert client.get(url).status_code == 200
    key = uuid.uuid4().hex
    form = {"submission_key": key, "requester": luoyang["housing"].pk, "assistant": luoyang["market_regulation"].pk,
            "case_name": "某案", "case_summary": "短", "matters": "", "reasons": "理由充分的说明", "materials": ""}
    page = client.post(url, form)
    assert page.status_code == 400
    html = page.content.decode()
    assert "不少于10个字" in html and "请填写需要协助办理的事项" in html and "请列明或上传有关材料" in html
    assert not AssistanceRequest.objects.exists()
    form.update(case_summary="三家投标人的投标文件机器码一致，涉嫌串通投标。", matters="调取企业登记档案",
                materials="立案审批表")
    done = client.post(url, form)
    req = AssistanceRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == req.get_absolute_url()
    assert client.post(url, form)["Location"] == req.get_absolute_url()   # double click: the same request
    assert AssistanceRequest.objects.count() == 1
    assert "协助办理函" in client.get(req.get_absolute_url()).content.decode()


def test_assistance_page_return_without_reason_shows_the_error(client, bob, luoyang):
    from casework.org.models import Membership
    from tests.conftest import make_user
    from tests.jointaction.test_assistance import ask

    mark = make_user("mark", luoyang["market_regulation"], Membership.Role.HANDLER)
    req, _ = ask(bob, luoyang)
    client.force_login(mark)
    page = client.post(reverse("jointaction:assistance_action", args=[req.pk, "return"]), {"reasons": "不管"})
    assert page.status_code == 400 and "不少于10个字" in page.content.decode()
    assert AssistanceRequest.objects.get().state == "sent"
    ok = client.post(reverse("jointaction:assistance_action", args=[req.pk, "accept"]))
    assert ok.status_code == 302 and AssistanceRequest.objects.get().state == "assisting"


def test_action_pages_from_start_to_plan(client, bob, erin, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    client.force_login(bob)
    new = reverse("jointaction:action_new")
    page = client.post(new, {"initiator": luoyang["housing"].pk, "kind": "enforcement", "title": "专项联合执法",
                             "trigger": "other", "trigger_note": "",
                             "participants": [luoyang["market_regulation"].pk]})
    assert page.status_code == 400 and "须说明发起情形" in page.content.decode()
    created = client.post(new, {"initiator": luoyang["housing"].pk, "kind": "enforcement", "title": "专项联合执法",
                                "trigger": "serious", "participants": [luoyang["market_regulation"].pk,
                                                                      luoyang["police"].pk]})
    action = JointAction.objects.get()
    assert created.status_code == 302
    plan = {"based_on": 0, **PLAN, "initiator_staff": "张三 科长", "reply_by": "2026-11-27"}
    plan.update({f"duty_{code}": text for code, text in duties(luoyang).items()})
    plan[f"duty_{luoyang['police'].code}"] = ""
    page = client.post(reverse("jointaction:action_step", args=[action.pk, "plan"]), plan)
    assert page.status_code == 400 and "职责分工" in page.content.decode()
    plan[f"duty_{luoyang['police'].code}"] = "对涉嫌犯罪线索提前介入"
    assert client.post(reverse("jointaction:action_step", args=[action.pk, "plan"]), plan).status_code == 302
    assert JointAction.objects.get().state == "consulting"
    client.force_login(erin)
    assert client.get(action.get_absolute_url()).status_code == 404
    assert client.get(reverse("jointaction:action_new")).status_code == 200   # transport is a supervising department
