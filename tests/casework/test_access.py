"""Who sees what: a department sees what it sent or received, a supervisor their jurisdiction,
nobody else anything, and what one may not know exists is a 404 everywhere."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from casework import selectors
from casework.errors import Forbidden, NotFound
from casework.handoffs import services as handoffs
from casework.org.services import create_api_client
from tests.conftest import at


@pytest.fixture
def handoff(luoyang, alice, frozen):
    frozen(at(2026, 11, 2, 9))
    return handoffs.send_handoff(actor=alice, kind="clue_referral", title="疑似围标线索",
                                 sender=luoyang["trading_centre"], receiver=luoyang["housing"],
                                 rule_key="referral.return")


def login(client, user):
    client.force_login(user)
    return client


def test_sender_receiver_and_supervisor_see_it_outsider_gets_404(client, handoff, alice, bob, dave, erin):
    for user in (alice, bob, dave):
        resp = login(client, user).get(reverse("casework:handoff", args=[handoff.pk]))
        assert resp.status_code == 200, user
        assert handoff.title in resp.content.decode()
    resp = login(client, erin).get(reverse("casework:handoff", args=[handoff.pk]))
    assert resp.status_code == 404
    assert handoff.title not in resp.content.decode()
    with pytest.raises(NotFound):
        selectors.get_handoff(erin, handoff.pk)


def test_clock_pages_are_scoped_the_same_way(client, handoff, alice, bob, dave, erin):
    clock = selectors.workbench_clocks(bob).get()
    for user, status in ((bob, 200), (alice, 200), (dave, 200), (erin, 404)):
        assert login(client, user).get(reverse("casework:clock", args=[clock.pk])).status_code == status
    # the workbench lists only my department's clocks
    assert handoff.title in login(client, bob).get("/").content.decode()
    assert handoff.title not in login(client, erin).get("/").content.decode()
    assert not selectors.workbench_clocks(alice).exists()  # alice waits on it, bob must act


def test_only_the_receiver_may_act(handoff, alice, bob, erin):
    with pytest.raises(Forbidden):
        handoffs.receive_handoff(actor=alice, handoff=handoff)
    with pytest.raises(Forbidden):
        handoffs.receive_handoff(actor=erin, handoff=handoff)
    handoffs.receive_handoff(actor=bob, handoff=handoff)


def test_pause_and_resume_from_the_clock_page(client, handoff, bob, carol, alice, frozen):
    clock = selectors.workbench_clocks(bob).get()
    login(client, alice)  # the sender sees the clock but may not stop it
    assert client.post(reverse("casework:clock_pause", args=[clock.pk]), {"reason": "x"}).status_code == 403
    login(client, bob)
    assert client.post(reverse("casework:clock_pause", args=[clock.pk]), {"reason": ""}).status_code == 400
    frozen(at(2026, 11, 3, 9))
    resp = client.post(reverse("casework:clock_pause", args=[clock.pk]), {"reason": "等待鉴定"})
    assert resp.status_code == 403 and "负责人" in resp.content.decode()  # the refusal names the role needed
    login(client, carol)
    assert client.post(reverse("casework:clock_pause", args=[clock.pk]), {"reason": "等待鉴定"}).status_code == 302
    frozen(at(2026, 11, 5, 9))
    resp = client.post(reverse("casework:clock_resume", args=[clock.pk]), follow=True)
    assert "已恢复计时" in resp.content.decode()
    clock.refresh_from_db()
    assert clock.state == "running" and clock.paused_units == 2


def test_outsider_post_is_404_not_403(client, handoff, erin):
    resp = login(client, erin).post(reverse("casework:handoff_action", args=[handoff.pk, "receive"]))
    assert resp.status_code == 404


def test_return_needs_written_reasons_and_closes_the_clock(client, handoff, bob, frozen):
    frozen(at(2026, 11, 3, 9))
    login(client, bob)
    resp = client.post(reverse("casework:handoff_action", args=[handoff.pk, "return"]), {"reasons": "不归我"})
    assert resp.status_code == 400
    assert "不少于10个字" in resp.content.decode()
    handoff.refresh_from_db()
    assert handoff.state == "sent"
    reasons = "该线索涉及交通工程，不属于住建部门监管职责，请移送交通运输局。"
    resp = client.post(reverse("casework:handoff_action", args=[handoff.pk, "return"]), {"reasons": reasons})
    assert resp.status_code == 302
    handoff.refresh_from_db()
    assert handoff.state == "returned" and handoff.result == reasons
    clock = selectors.visible_clocks(bob).get()
    assert clock.state == "met"
    from casework.events.services import timeline

    event = timeline(handoff).get(action="handoff.returned")
    assert event.actor == bob and event.ip == "127.0.0.1" and event.after["text"] == reasons
    # a double click on "return" is refused, not applied twice
    resp = client.post(reverse("casework:handoff_action", args=[handoff.pk, "return"]), {"reasons": reasons})
    assert resp.status_code == 409


def test_api_client_is_scoped_like_its_department(handoff, luoyang):
    _, housing_token = create_api_client(name="housing-system", department=luoyang["housing"])
    _, transport_token = create_api_client(name="transport-system", department=luoyang["transport"])
    api = APIClient()
    clock = selectors.visible_clocks(handoff.created_by).get()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {housing_token}")
    assert api.get(f"/api/v1/clocks/{clock.pk}/").status_code == 200
    assert [c["id"] for c in api.get("/api/v1/clocks/").json()["results"]] == [clock.pk]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {transport_token}")
    resp = api.get(f"/api/v1/clocks/{clock.pk}/")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"
    assert api.get("/api/v1/clocks/").json()["results"] == []


def test_api_authentication_errors(db):
    api = APIClient()
    assert api.get("/api/v1/departments/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer sp_not-a-real-token")
    resp = api.get("/api/v1/departments/")
    assert resp.status_code == 401 and resp.json()["error"]["message"] == "令牌无效、已停用或已过期"
    api.credentials(HTTP_AUTHORIZATION="Bearer")
    assert api.get("/api/v1/departments/").status_code == 401


def test_reference_year_is_the_shanghai_year(luoyang, alice):
    import datetime as dt

    sent = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)   # 2027-01-01 01:00 in Shanghai
    handoff = handoffs.send_handoff(actor=alice, kind="notice", title="跨年送达", sender=luoyang["trading_centre"],
                                    receiver=luoyang["housing"], rule_key="referral.return", sent_at=sent)
    assert handoff.reference == f"YJ2027{handoff.pk:06d}"
