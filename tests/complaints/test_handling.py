"""Triage, the paused decision clock, extension, decision letter, delivery and publication."""

import pytest

from casework.clocks import services as clocks
from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError, Forbidden
from complaints import services
from complaints.models import Complaint
from tests.complaints.conftest import NAME, complaint_input
from tests.conftest import at


def test_accept_starts_the_30_working_day_decision_clock(filed, bob):
    complaint = services.accept_complaint(actor=bob, complaint=filed.complaint)
    clock = services.decision_clock(complaint)
    assert clock.rule_version.limit_display == "30个工作日" and "第六十一条" in clock.rule_version.clause
    assert clocks_for(complaint).get(rule_version__rule__key="complaint.accept").state == "met"
    with pytest.raises(Conflict):
        services.accept_complaint(actor=bob, complaint=complaint)


def test_only_the_handling_department_triages(filed, erin, alice):
    with pytest.raises(Forbidden):
        services.accept_complaint(actor=erin, complaint=filed.complaint)


def test_refuse_needs_reasons_and_writes_a_notice(filed, bob):
    with pytest.raises(DomainError):
        services.refuse_complaint(actor=bob, complaint=filed.complaint, reasons="不受理")
    complaint = services.refuse_complaint(actor=bob, complaint=filed.complaint,
                                          reasons="投诉超过法定期限，且未提供必要的证明材料。")
    assert complaint.status == Complaint.Status.REFUSED and complaint.decision_letter.kind == "notice"


def test_redirect_records_its_clock(filed, bob):
    complaint = services.redirect_complaint(actor=bob, complaint=filed.complaint,
                                            competent="该项目为水利工程，请向洛阳市水利局投诉。")
    clock = clocks_for(complaint).get(rule_version__rule__key="complaint.redirect_notice")
    assert clock.state == "met" and complaint.status == Complaint.Status.REDIRECTED


def test_transfer_moves_it_to_the_competent_department(filed, luoyang, bob, erin):
    complaint = services.transfer_complaint(actor=bob, complaint=filed.complaint, to=luoyang["transport"],
                                            reasons="该项目为交通工程")
    assert complaint.department == luoyang["transport"] and complaint.status == Complaint.Status.SUBMITTED
    assert clocks_for(complaint).get(rule_version__rule__key="complaint.transfer").state == "met"
    services.accept_complaint(actor=erin, complaint=complaint)     # the receiver takes it on


def test_pause_for_expert_review_and_leader_extension(luoyang, bob, carol, frozen):
    frozen(at(2026, 11, 2, 9))
    complaint = services.file_complaint(data=complaint_input(luoyang), channel="online",
                                        submission_key="web:pause").complaint
    complaint = services.accept_complaint(actor=bob, complaint=complaint)
    clock = services.decision_clock(complaint)
    due = clock.due_at
    frozen(at(2026, 11, 4, 9))
    with pytest.raises(Forbidden, match="负责人"):  # pausing needs the leader (the rule profile's default)
        clocks.pause_clock(actor=bob, clock=clock, reason="等待专家评审")
    clocks.pause_clock(actor=carol, clock=clock, reason="等待专家评审")
    frozen(at(2026, 11, 9, 9))
    clock = clocks.resume_clock(actor=carol, clock=clock)
    assert clock.paused_units == 3 and clock.due_at > due          # 11-05, 11-06, 11-09 not counted
    with pytest.raises(Forbidden):
        clocks.extend_clock(actor=bob, clock=clock, units=10, reason="案情复杂需延期")
    clock = clocks.extend_clock(actor=carol, clock=clock, units=10, reason="案情复杂需延期")
    assert clock.extended_units == 10


def test_decision_letter_tracking_delivery_and_publication(client, filed, cleared, carol, luoyang):
    complaint = services.accept_complaint(actor=cleared, complaint=filed.complaint)
    with pytest.raises(DomainError) as exc:
        services.decide_complaint(actor=carol, complaint=complaint, outcome="maybe", decision="短")
    assert {"outcome", "decision"} <= set(exc.value.field_errors)
    complaint = services.decide_complaint(actor=carol, complaint=complaint, outcome="upheld",
                                          decision=f"经调查，{NAME}反映的串通投标问题属实，责令招标人重新确定中标人。")
    assert complaint.decision_letter.kind == "decision" and services.decision_clock(complaint).state == "met"
    client.post("/complaints/track/", {"tracking_code": complaint.tracking_code, "secret": filed.secret})
    pdf = client.get(f"/complaints/track/{complaint.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    complaint.refresh_from_db()
    assert complaint.decision_delivered_at is not None
    complaint = services.publish_decision(actor=carol, complaint=complaint)
    page = client.get("/complaints/published/").content.decode()
    assert "洛阳市某道路改造工程" in page and "投诉成立" in page
    assert NAME not in page and "周**" in page
    with pytest.raises(Conflict):
        services.publish_decision(actor=carol, complaint=complaint)


def test_another_browser_cannot_download_the_letter(client, filed, cleared, carol):
    complaint = services.accept_complaint(actor=cleared, complaint=filed.complaint)
    services.decide_complaint(actor=carol, complaint=complaint, outcome="dismissed",
                              decision="经调查，投诉缺乏事实依据，予以驳回。")
    assert client.get(f"/complaints/track/{complaint.pk}/letter.pdf").status_code == 404


def test_receiver_accepting_closes_the_transfer_clock(filed, luoyang, bob, erin):
    complaint = services.transfer_complaint(actor=bob, complaint=filed.complaint, to=luoyang["transport"],
                                            reasons="该项目为交通工程")
    # The receiver's triage runs on the complaint (one governing clock per step), from delivery.
    assert not clocks_for(complaint.transfer_handoff).exists()
    handoff_clock = clocks_for(complaint).get(department=luoyang["transport"])
    assert handoff_clock.closed_at is None and handoff_clock.started_at == complaint.transfer_handoff.sent_at
    services.accept_complaint(actor=erin, complaint=complaint)
    handoff_clock.refresh_from_db()
    assert handoff_clock.state == "met"
    complaint.transfer_handoff.refresh_from_db()
    assert complaint.transfer_handoff.state == "accepted"


def test_returned_twice_the_supervision_office_takes_it(filed, luoyang, bob, erin, dave):
    reasons = "经审查，该项目由住建部门监管，不属于本部门管辖。"
    complaint = services.transfer_complaint(actor=bob, complaint=filed.complaint, to=luoyang["transport"],
                                            reasons="该项目为交通工程")
    with pytest.raises(DomainError):
        services.return_complaint(actor=erin, complaint=complaint, reasons="不是我的")
    complaint = services.return_complaint(actor=erin, complaint=complaint, reasons=reasons)
    assert complaint.department == luoyang["housing"] and complaint.return_count == 1
    complaint.transfer_handoff.refresh_from_db()
    assert complaint.transfer_handoff.state == "returned"
    assert clocks_for(complaint).filter(department=luoyang["housing"], closed_at__isnull=True).count() == 1
    complaint = services.transfer_complaint(actor=bob, complaint=complaint, to=luoyang["transport"],
                                            reasons="再次移交：该项目为交通工程")
    complaint = services.return_complaint(actor=erin, complaint=complaint, reasons=reasons)
    assert complaint.department.is_supervision_office and complaint.return_count == 2
    with pytest.raises(Conflict):
        services.return_complaint(actor=dave, complaint=complaint, reasons=reasons)
