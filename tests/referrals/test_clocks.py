"""Referral clocks start at the event the law names and end where the law says (issue 12):
result feedback from the day handling finished until the written feedback is sent (Weihai (十四) 3,
Zengdu 第十五条 10 working days); designated transfers run no return clock; a jurisdiction dispute
runs the office's clock and shows on its workbench and overview."""

import datetime as dt

import pytest

from casework.clocks.models import Clock
from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError
from casework.events.models import Event
from casework.org.models import Department, Membership
from casework.org.services import load_org_preset
from referrals import services
from referrals.models import Matter
from tests.conftest import at, make_user
from tests.referrals.conftest import clue_input

BASIS = "《招标投标法》第五十三条"


def world(preset):
    depts = load_org_preset(preset=preset)
    by_type = {}
    for d in depts:
        by_type.setdefault(d.type, d)
    return by_type


def accepted_transfer(preset, frozen, when):
    """A clue pushed, transferred by the housing bureau to the police and accepted, all at `when`."""
    w = world(preset)
    tc = make_user(f"{preset}-tc", w["trading_centre"], Membership.Role.HANDLER)
    housing = make_user(f"{preset}-housing", w["housing"], Membership.Role.HANDLER)
    police = make_user(f"{preset}-police", w["police"], Membership.Role.HANDLER)
    frozen(when)
    data = clue_input({"housing": w["housing"]}, discovered_at=(when - dt.timedelta(hours=1)).isoformat())
    clue = services.intake_clue(actor=tc, data=data).clue
    t = services.transfer_clue(actor=housing, clue=clue, receivers=[w["police"]], matter=Matter.CRIME,
                               legal_basis=BASIS, materials=["交易记录"])[0]
    services.accept_transfer(actor=police, transfer=t)
    t.refresh_from_db()
    return t, police


def feedback_clock(t):
    return clocks_for(t.handoff).get(rule_version__rule__key="referral.result_feedback")


@pytest.mark.parametrize("preset, due", [("weihai", at(2026, 11, 13, 0)),    # Mon 11-09 + 3 wd: Thu 11-12
                                         ("zengdu", at(2026, 11, 24, 0))])   # + 10 wd: Mon 11-23
def test_feedback_clock_runs_from_handling_finished_until_written_feedback(db, frozen, preset, due):
    t, police = accepted_transfer(preset, frozen, at(2026, 11, 2, 9))
    frozen(at(2026, 11, 10, 9))
    services.record_handling_finished(actor=police, transfer=t, completed_on=dt.date(2026, 11, 9))
    clock = feedback_clock(t)
    assert clock.state == Clock.State.RUNNING and clock.closed_at is None   # open until the feedback is sent
    assert clock.due_at == due and clock.started_at == at(2026, 11, 9, 0)
    with pytest.raises(Conflict, match="已登记处理完毕日期"):
        services.record_handling_finished(actor=police, transfer=t, completed_on=dt.date(2026, 11, 9))
    frozen(due + dt.timedelta(hours=9))       # the feedback goes out the morning after the last day
    services.report_result(actor=police, transfer=t, result="已立案侦查，结果如下。")
    clock.refresh_from_db()
    assert clock.state == Clock.State.BREACHED and clock.closed_at == due + dt.timedelta(hours=9)


def test_feedback_in_time_is_met_and_the_date_is_checked(db, frozen):
    t, police = accepted_transfer("weihai", frozen, at(2026, 11, 2, 9))
    frozen(at(2026, 11, 10, 9))
    with pytest.raises(DomainError) as err:
        services.report_result(actor=police, transfer=t, result="已立案侦查。")
    assert err.value.field_errors == {"completed_on": ["请填写处理完毕日期"]}
    with pytest.raises(DomainError) as err:
        services.report_result(actor=police, transfer=t, result="已立案侦查。", completed_on=dt.date(2026, 11, 11))
    assert "不能晚于今天" in err.value.field_errors["completed_on"][0]
    with pytest.raises(DomainError) as err:
        services.report_result(actor=police, transfer=t, result="已立案侦查。", completed_on=dt.date(2026, 11, 1))
    assert "不能早于受理日期（2026-11-02）" in err.value.field_errors["completed_on"][0]
    assert not clocks_for(t.handoff).filter(rule_version__rule__key="referral.result_feedback").exists()
    services.report_result(actor=police, transfer=t, result="已立案侦查。", completed_on=dt.date(2026, 11, 9))
    clock = feedback_clock(t)
    assert clock.state == Clock.State.MET and clock.due_at == at(2026, 11, 13, 0)
    started = Event.objects.get(action="clock.started", object_id=str(clock.pk))
    assert started.after["entry_delay_days"] == 1 and started.after["event_date"] == "2026-11-09"


def test_result_page_asks_for_the_day_handling_finished(db, frozen, client):
    t, police = accepted_transfer("weihai", frozen, at(2026, 11, 2, 9))
    client.force_login(police)
    page = client.get(t.clue.get_absolute_url()).content.decode()
    assert "处理完毕日期" in page and "登记处理完毕（开始计算反馈期限）" in page
    url = f"{t.clue.get_absolute_url()}transfers/{t.pk}/finished/"
    bad = client.post(url, {"completed_on": "2026-13-01"}, follow=True).content.decode()
    assert "处理完毕日期格式不正确" in bad
    frozen(at(2026, 11, 5, 9))
    client.post(url, {"completed_on": "2026-11-04"})
    t.refresh_from_db()
    assert t.completed_at == at(2026, 11, 4, 0) and feedback_clock(t).closed_at is None
    page = client.get(t.clue.get_absolute_url()).content.decode()
    assert "登记处理完毕（开始计算反馈期限）" not in page and "2026-11-04" in page


def test_designated_transfer_runs_no_return_clock_and_dispute_has_a_clock(clue, luoyang, bob, pete, dave, frozen,
                                                                          client):
    reasons = "经审查，该事项不属于本单位职责范围，请依法移送有管辖权的机关。"
    for _ in range(2):
        t = services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                                   legal_basis=BASIS, materials=["交易记录"])[0]
        services.return_transfer(actor=pete, transfer=t, reasons=reasons)
    dispute = clue.disputes.get()
    clock = clocks_for(dispute).get()
    office = Department.objects.get(is_supervision_office=True, jurisdiction=luoyang["housing"].jurisdiction)
    assert clock.department == office and clock.rule_version.rule.key == "referral.dispute_decide"
    assert clock.started_at == dispute.raised_at and clock.closed_at is None
    client.force_login(dave)
    assert f"指定管辖：{clue.project_name}" in client.get("/").content.decode()
    overview = client.get("/supervision/").content.decode()
    assert "待指定管辖的争议" in overview and clue.project_name in overview
    designated = services.decide_dispute(actor=dave, dispute=dispute, department=luoyang["police"],
                                         reason="涉嫌串通投标罪，由公安机关管辖")
    clock.refresh_from_db()
    assert clock.state == Clock.State.MET
    assert not clocks_for(designated.handoff).exists()   # may not be returned: no return clock
    overview = client.get("/supervision/").content.decode()
    assert clue.project_name not in overview.split("待指定管辖的争议")[1]
