"""Assistance clocks (issue 12): deciding to assist cancels the return clock as not applicable (never
按期完成); the result clock's "why this date" names the decision to assist; a requested reply date on a
rest day is rolled with a note; one earlier than the review limit warns, naming that limit."""

import datetime as dt

import pytest

from casework.clocks.explain import explain
from casework.clocks.models import Clock
from casework.clocks.services import clocks_for
from casework.events.models import Event
from jointaction import services
from tests.conftest import at
from tests.jointaction.test_assistance import ask

pytestmark = pytest.mark.django_db


def test_deciding_to_assist_cancels_the_return_clock(bob, mark, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang, reply_by=dt.date(2026, 12, 4))
    frozen(at(2026, 11, 23, 10))
    req = services.accept_assistance(actor=mark, request=req)
    ret = clocks_for(req.handoff).get(rule_version__rule__key="assistance.return")
    assert ret.state == Clock.State.CANCELLED
    assert Event.objects.get(action="clock.cancelled", object_id=str(ret.pk)).reason == "不适用：已决定协助办理，未退回"
    assert clocks_for(req.handoff).get(rule_version__rule__key="assistance.review").state == Clock.State.MET


def test_result_clock_says_it_starts_at_the_decision_to_assist(bob, mark, luoyang, frozen, client):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang, reply_by=dt.date(2026, 12, 4))
    req = services.accept_assistance(actor=mark, request=req)
    clock = clocks_for(req.handoff).get(rule_version__rule__key="assistance.result")
    assert explain(clock)["version"].get_starts_on_display() == "作出决定之日"
    client.force_login(mark)
    page = client.get(f"/clocks/{clock.pk}/").content.decode()
    assert "作出决定之日" in page and "办结之日" not in page


def test_reply_date_on_a_rest_day_is_rolled_with_a_note(bob, luoyang, frozen, client):
    frozen(at(2026, 11, 20, 9))
    req, _ = ask(bob, luoyang, reply_by=dt.date(2026, 12, 5))          # a Saturday
    assert req.reply_by == dt.date(2026, 12, 7)
    assert req.warnings == ["请求反馈期限：所定日期 2026-12-05 为周末，已顺延至其后第一个工作日 2026-12-07"]
    assert "2026年12月7日前" in req.request_letter.body


def test_reply_date_before_the_review_limit_warns_naming_the_limit(bob, luoyang, frozen, client):
    frozen(at(2026, 11, 20, 9))                                           # review limit: 5 wd → Fri 11-27
    req, _ = ask(bob, luoyang, reply_by=dt.date(2026, 11, 24))
    assert len(req.warnings) == 1
    assert "早于对方依法享有的审查期限" in req.warnings[0] and "5个工作日（洛阳 五(二)）" in req.warnings[0]
    assert "至 2026-11-27 24:00" in req.warnings[0]
    later, _ = ask(bob, luoyang, reply_by=dt.date(2026, 11, 30), submission_key="k2")
    assert later.warnings == []


def test_a_paper_letter_delivered_earlier_starts_the_clocks_at_delivery(bob, luoyang, frozen):
    from casework.errors import DomainError

    frozen(at(2026, 11, 20, 9))                                           # Friday
    with pytest.raises(DomainError) as err:
        ask(bob, luoyang, delivered_on=dt.date(2026, 11, 21))
    assert "不能晚于今天" in err.value.field_errors["delivered_on"][0]
    req, _ = ask(bob, luoyang, delivered_on=dt.date(2026, 11, 17), submission_key="paper")
    clocks = {c.rule_version.rule.key: c for c in clocks_for(req.handoff)}
    assert clocks["assistance.return"].started_at == at(2026, 11, 17, 0)
    assert clocks["assistance.return"].due_at == at(2026, 11, 21, 0)      # 3 wd from Tue 11-17: Fri 11-20
    started = Event.objects.get(action="clock.started", object_id=str(clocks["assistance.review"].pk))
    assert started.after["entry_delay_days"] == 3


def test_the_sender_sees_the_roll_and_the_review_limit_on_the_page(client, bob, luoyang, frozen):
    from django.urls import reverse

    frozen(at(2026, 11, 20, 9))
    client.force_login(bob)
    form = {"submission_key": "page-1", "requester": luoyang["housing"].pk,
            "assistant": luoyang["market_regulation"].pk, "case_name": "某案",
            "case_summary": "三家投标人的投标文件机器码一致，涉嫌串通投标。", "matters": "调取企业登记档案",
            "reasons": "核实投标人之间的关系", "materials": "立案审批表", "reply_by": "2026-11-22",
            "delivered_on": "bad"}
    bad = client.post(reverse("jointaction:assistance_new"), form)
    assert bad.status_code == 400 and "送达日期格式不正确" in bad.content.decode()
    form["delivered_on"] = ""
    page = client.post(reverse("jointaction:assistance_new"), form, follow=True).content.decode()
    assert "所定日期 2026-11-22 为周末，已顺延至其后第一个工作日 2026-11-23" in page
    assert "早于对方依法享有的审查期限" in page
