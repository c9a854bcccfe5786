"""Complaint clocks (issue 12): one step, one governing clock (a lawful transfer on working day 4 in
Zengdu is never a breach); the procurement decision counts from receipt; paper and phone complaints
start at the day received, checked, with the entry delay audited; a complaint the supervision office
designated cannot be returned."""

import datetime as dt

import pytest

from casework.clocks import escalation
from casework.clocks.models import Clock, EscalationStep
from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError
from casework.events.models import Event
from casework.notifications.models import Notification
from casework.org.models import Department, Membership
from casework.org.services import load_org_preset
from complaints import services
from tests.complaints.conftest import complaint_input
from tests.conftest import at, make_user


@pytest.fixture
def zengdu(db):
    depts = {d.code: d for d in load_org_preset(preset="zengdu")}
    return {"housing": depts["ZD-HOUSING"], "transport": depts["ZD-TRANSPORT"],
            "hu": make_user("zd-hu", depts["ZD-HOUSING"], Membership.Role.HANDLER),
            "tr": make_user("zd-tr", depts["ZD-TRANSPORT"], Membership.Role.HANDLER)}


def file_in_zengdu(zengdu, frozen, when, **kw):
    frozen(when)
    data = complaint_input(department=zengdu["housing"].code, **kw)
    return services.file_complaint(data=data, channel="online", submission_key=f"web:{when:%H%M%S}").complaint


def test_lawful_transfer_on_working_day_4_is_met_and_never_noticed(zengdu, frozen):
    complaint = file_in_zengdu(zengdu, frozen, at(2026, 11, 2, 9))           # Monday
    triage = clocks_for(complaint).get()
    assert triage.rule_version.rule.key == "complaint.transfer"            # the latest lawful deadline governs
    assert triage.due_at == at(2026, 11, 10, 0)                            # 5 working days: Mon 11-09
    frozen(at(2026, 11, 6, 9))                                             # working day 4, after the 3-day mark
    escalation.sweep()
    assert not Notification.objects.filter(kind="breach").exists()
    services.transfer_complaint(actor=zengdu["hu"], complaint=complaint, to=zengdu["transport"],
                                reasons="该项目为交通工程，属交通运输局监管")
    triage.refresh_from_db()
    assert triage.state == Clock.State.MET and triage.label == "将投诉移交有管辖权的部门"
    assert not clocks_for(complaint).filter(department=zengdu["housing"], state=Clock.State.BREACHED).exists()
    assert Event.objects.filter(action="clock.rebased", object_id=str(triage.pk)).exists()


def test_accepting_on_working_day_4_is_late_under_the_accept_limit(zengdu, frozen):
    complaint = file_in_zengdu(zengdu, frozen, at(2026, 11, 2, 9))
    frozen(at(2026, 11, 6, 9))
    services.accept_complaint(actor=zengdu["hu"], complaint=complaint)
    triage = clocks_for(complaint).get(rule_version__rule__key="complaint.accept")
    assert triage.state == Clock.State.BREACHED and triage.due_at == at(2026, 11, 6, 0)


def test_procurement_decision_counts_from_receipt(zengdu, frozen):
    complaint = file_in_zengdu(zengdu, frozen, at(2026, 11, 2, 9), trading_type="procurement",
                               objection_filed=True, objection_date=dt.date(2026, 10, 20))
    frozen(at(2026, 11, 5, 9))
    services.accept_complaint(actor=zengdu["hu"], complaint=complaint)
    decide = clocks_for(complaint).get(rule_version__rule__key="complaint.decide_procurement")
    assert decide.started_at == complaint.received_at == at(2026, 11, 2, 9)
    assert decide.due_at == at(2026, 12, 15, 0)                            # 30 working days from Mon 11-02
    assert decide.rule_version.starts_on == "receipt"


def test_engineering_decision_still_counts_from_acceptance(zengdu, frozen):
    complaint = file_in_zengdu(zengdu, frozen, at(2026, 11, 2, 9))
    frozen(at(2026, 11, 4, 9))
    services.accept_complaint(actor=zengdu["hu"], complaint=complaint)
    decide = clocks_for(complaint).get(rule_version__rule__key="complaint.decide")
    assert decide.started_at == at(2026, 11, 4, 9)


def test_paper_complaint_starts_at_the_day_received(luoyang, bob, frozen):
    frozen(at(2026, 11, 6, 15))                                            # Friday
    with pytest.raises(DomainError) as err:
        services.file_complaint(data=complaint_input(luoyang), channel="paper", submission_key="web:p0", actor=bob)
    assert err.value.field_errors == {"received_on": ["请填写收到投诉日期"]}
    with pytest.raises(DomainError) as err:
        services.file_complaint(data=complaint_input(luoyang, received_on=dt.date(2026, 11, 7)), channel="paper",
                                submission_key="web:p1", actor=bob)
    assert "不能晚于今天" in err.value.field_errors["received_on"][0]
    complaint = services.file_complaint(data=complaint_input(luoyang, received_on=dt.date(2026, 11, 2)),
                                        channel="paper", submission_key="web:p2", actor=bob).complaint
    assert complaint.received_at == at(2026, 11, 2, 0)
    clock = clocks_for(complaint).get()
    assert clock.started_at == at(2026, 11, 2, 0) and clock.due_at == at(2026, 11, 6, 0)  # not from typing-in
    started = Event.objects.get(action="clock.started", object_id=str(clock.pk))
    assert started.after["entry_delay_days"] == 4 and started.after["entry_delay_working_days"] == 4


def test_phone_complaint_page_shows_the_entry_delay_on_the_clock(client, luoyang, bob, frozen):
    from tests.complaints.test_filing import form_data

    frozen(at(2026, 11, 6, 15))
    client.force_login(bob)
    resp = client.post("/complaints/new/", {**form_data(luoyang, key="ph"), "channel": "phone",
                                            "received_on": "2026-11-04"})
    assert resp.status_code == 302
    complaint = services.Complaint.objects.get()
    clock = clocks_for(complaint).get()
    page = client.get(f"/clocks/{clock.pk}/").content.decode()
    assert "事件日期 2026-11-04" in page and "录入延迟 2 日" in page


def test_designated_complaint_cannot_be_returned(luoyang, bob, erin, dave, frozen):
    frozen(at(2026, 11, 2, 9))
    complaint = services.file_complaint(data=complaint_input(luoyang), channel="online",
                                        submission_key="web:d1").complaint
    reasons = "经审查，该项目由住建部门监管，不属于本部门管辖。"
    for _ in range(2):
        complaint = services.transfer_complaint(actor=bob, complaint=complaint, to=luoyang["transport"],
                                                reasons="该项目为交通工程")
        complaint = services.return_complaint(actor=erin, complaint=complaint, reasons=reasons)
    office = Department.objects.get(is_supervision_office=True, jurisdiction=luoyang["housing"].jurisdiction)
    assert complaint.department == office
    complaint = services.transfer_complaint(actor=dave, complaint=complaint, to=luoyang["transport"],
                                            reasons="综合监管部门指定由交通运输局管辖")
    assert services.is_designation(complaint.transfer_handoff)
    with pytest.raises(Conflict, match="指定管辖，不得退回"):
        services.return_complaint(actor=erin, complaint=complaint, reasons=reasons)
    assert not clocks_for(complaint.transfer_handoff).exists()
    assert not EscalationStep.objects.exists()


def test_statistics_leave_out_paused_days_and_count_transfers_as_transferred(luoyang, bob, carol, erin, dave,
                                                                               frozen):
    from casework.clocks.services import pause_clock, resume_clock
    from complaints.statistics import complaint_statistics

    frozen(at(2026, 11, 2, 9))                                             # Monday
    first = services.file_complaint(data=complaint_input(luoyang), channel="online",
                                    submission_key="web:s1").complaint
    moved = services.file_complaint(data=complaint_input(luoyang, project_code="LYGC2026-999"), channel="online",
                                    submission_key="web:s2").complaint
    services.transfer_complaint(actor=bob, complaint=moved, to=luoyang["transport"], reasons="该项目为交通工程")
    services.accept_complaint(actor=bob, complaint=first)
    decide = clocks_for(first).get(rule_version__rule__key="complaint.decide")
    frozen(at(2026, 11, 3, 9))
    pause_clock(actor=carol, clock=decide, reason="专家评审")  # the leader's power (role powers)
    frozen(at(2026, 11, 6, 9))                                             # 11-04, 11-05, 11-06 not counted
    resume_clock(actor=carol, clock=decide)
    frozen(at(2026, 11, 10, 9))
    services.decide_complaint(actor=carol, complaint=first, outcome="upheld",
                              decision="经调查，投诉事项属实，责令改正。")
    stats = complaint_statistics(dave, since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 30))
    assert stats["working_days"]["max"] == 6 - 3                          # 11-02 → 11-10: 6 working days, 3 paused
    t = stats["totals"]
    assert t["transferred"] == 1 and t["pending"] == 0 and t["awaiting_acceptance"] == 0
    assert t["received"] == t["refused"] + t["transferred"] + t["redirected"] + t["decided"] + t["pending"]
    services.accept_complaint(actor=erin, complaint=moved)
    t = complaint_statistics(dave, since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 30))["totals"]
    assert t["transferred"] == 0 and t["pending"] == 1 and t["in_progress"] == 1
