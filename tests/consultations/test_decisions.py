"""Decisions and minutes: owners and due dates on a clock that escalates, the minutes as a numbered letter with
time, place, chair, attendance by unit and decisions, matters escalated to the government by a report, follow-up
(progress, result), the board, and a decision starting a referral or a joint action in one step."""

import re
import subprocess

import pytest
from django.db import connection
from rest_framework.test import APIClient

from casework.clocks import escalation
from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.models import Event
from casework.letters import signoff
from casework.letters.models import Letter
from casework.letters.services import letter_bytes
from casework.notifications.models import Notification
from casework.org.services import create_api_client
from consultations import selectors, services
from consultations.models import Decision, Escalation, FollowUp, Meeting
from tests.conftest import at, run_concurrently

from .conftest import held_meeting


@pytest.fixture
def meeting(mechanism, luoyang, bob, frozen):
    """Housing's ad-hoc meeting with transport and the police, held on Tuesday 10 March 2026."""
    return held_meeting(luoyang, mechanism, bob, frozen)


def pdf_text(letter) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=letter_bytes(letter), capture_output=True,
                         check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


CHECK = "交通运输局牵头核查国道养护工程投标人关联关系"


def decide(meeting, bob, luoyang, owner="transport", due=(2026, 3, 20), text=CHECK):
    return services.add_decision(actor=bob, meeting=meeting, text=text, owner=luoyang[owner], due_on=at(*due).date())


def test_a_decision_runs_a_clock_to_its_date_and_escalates(meeting, luoyang, bob, erin, dave, lena, frozen):
    decision = decide(meeting, bob, luoyang)
    assert decision.reference.startswith("YD2026") and decision.status == Decision.Status.OPEN
    clock = decision.clock
    assert clock.rule_version.rule.key == "consultation.decision" and clock.department == luoyang["transport"]
    assert clock.started_at == at(2026, 3, 10, 9, 30) and clock.due_at == at(2026, 3, 21, 0, 0)
    assert Notification.objects.filter(recipient=erin, kind="consultation_decision").exists()
    board = selectors.decisions_board(lena, meeting.mechanism)
    assert [(r.decision, r.state) for r in board] == [(decision, "open")]

    frozen(at(2026, 3, 21, 0, 1))
    escalation.sweep()
    decision.refresh_from_db()
    assert decision.clock.state == Clock.State.BREACHED
    assert selectors.decisions_board(lena, meeting.mechanism)[0].state == "overdue"
    assert Notification.objects.filter(recipient=erin, kind="breach", clock=decision.clock).exists()
    frozen(at(2026, 3, 26, 0, 1))  # 3 working days after: the supervision office's supervisor is told
    escalation.sweep()
    assert Notification.objects.filter(recipient=dave, kind="supervision", clock=decision.clock).exists()

    services.add_progress(actor=erin, decision=decision, note="已调取投标文件，正在比对")
    services.complete_decision(actor=erin, decision=decision, result="核查完毕，两家投标人存在关联关系，已立案")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DONE and decision.clock.closed_at is not None
    assert selectors.decisions_board(lena, meeting.mechanism)[0].state == "done-late"
    assert Notification.objects.filter(recipient=lena, kind="consultation_progress").count() == 2


def test_decision_input_errors_and_when_decisions_may_be_added(mechanism, meeting, luoyang, bob, erin, frozen):
    with pytest.raises(DomainError) as bad:
        services.add_decision(actor=bob, meeting=meeting, text="核查", owner=None, due_on=at(2026, 3, 9).date())
    assert bad.value.field_errors == {"text": ["议定事项不少于5个字"], "owner": ["请选择责任单位"],
                                      "due_on": ["完成期限不能早于会议召开日期"]}
    with pytest.raises(Forbidden):
        decide(meeting, erin, luoyang)
    decide(meeting, bob, luoyang)
    with pytest.raises(Conflict, match="已登记相同的议定事项"):  # a double submission
        decide(meeting, bob, luoyang)
    scheduled = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                          data=services.MeetingInput(
                                              kind="ad_hoc", title="另一次会商", place="三楼", agenda=["议题"],
                                              starts_at=at(2026, 3, 20, 9), reply_due_on=at(2026, 3, 18).date(),
                                              invitees=[luoyang["police"]]))
    with pytest.raises(Conflict, match="召开后才能登记议定事项"):
        decide(scheduled, bob, luoyang)


def test_minutes_are_a_numbered_letter_with_attendance_and_decisions(meeting, luoyang, bob, carol, lily, erin, pete,
                                                                    frozen):
    decide(meeting, bob, luoyang)
    decide(meeting, bob, luoyang, owner="police", due=(2026, 4, 30), text="公安机关对串通投标线索立案侦查并通报结果")
    withdrawn = decide(meeting, bob, luoyang, owner="housing", text="住建局登记错误的事项")
    services.withdraw_decision(actor=bob, decision=withdrawn, reason="登记错误")
    with pytest.raises(Forbidden, match="议定事项或记录政府决定须由洛阳市住房和城乡建设局的经办人或负责人办理"):
        decide(meeting, lily, luoyang, text="联络员不能登记议定事项")
    with pytest.raises(Forbidden, match="印发会议纪要须由洛阳市住房和城乡建设局的负责人办理"):
        services.issue_minutes(actor=bob, meeting=meeting)  # the handler records; the leader issues the minutes
    services.issue_minutes(actor=carol, meeting=meeting)
    meeting.refresh_from_db()
    letter = meeting.minutes_letter
    assert meeting.status == Meeting.Status.MINUTES_ISSUED
    assert letter.kind == Letter.Kind.MINUTES and letter.issuer == luoyang["housing"]
    assert "纪〔2026〕" in letter.doc_number and letter.title == "研究围标串标线索联合查处会议纪要"
    text = pdf_text(letter)
    for expected in ("洛阳市公共资源交易协同监管会商机制", "会议纪要", letter.doc_number, "2026年3月10日",
                     "市发改委三楼会议室召开多方联席会议", "会议由王建国主持", "通报线索移送情况",
                     CHECK, "责任单位：洛阳市交通运输局", "完成时限：2026年3月20日前",
                     "责任单位：洛阳市公安局", "完成时限：2026年4月30日前", "出席：", "市住建局市住建局代表",
                     "市交通运输局市交通运输局代表", "分送："):
        assert expected in text, expected
    assert "登记错误的事项" not in text
    assert Notification.objects.filter(recipient=pete, kind="consultation_minutes").exists()
    with pytest.raises(Conflict, match="会议纪要已印发"):
        services.issue_minutes(actor=carol, meeting=meeting)
    with pytest.raises(Conflict, match="纪要已印发"):
        decide(meeting, bob, luoyang, text="纪要印发后再加的事项")
    assert Letter.objects.filter(kind=Letter.Kind.MINUTES).count() == 1


def test_minutes_letter_opens_for_every_unit_at_the_meeting_not_others(client, meeting, luoyang, bob, carol, erin):
    from casework.org.models import Membership
    from tests.conftest import make_user

    services.issue_minutes(actor=carol, meeting=meeting)
    meeting.refresh_from_db()
    url = f"/consultations/letters/{meeting.minutes_letter.pk}.pdf"
    client.force_login(erin)  # invited, not the issuer
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(make_user("walt", luoyang["water"], Membership.Role.HANDLER))
    assert client.get(url).status_code == 404


def test_a_matter_without_agreement_goes_to_the_government(meeting, luoyang, bob, lena, leo, erin, frozen):
    with pytest.raises(Forbidden, match="只有洛阳市发展和改革委员会的工作人员"):
        services.escalate(actor=bob, meeting=meeting, matter="市政道路附属工程监管职责划分",
                          positions="各方意见不一致" * 2)
    with pytest.raises(DomainError) as bad:
        services.escalate(actor=lena, meeting=meeting, matter="", positions="短")
    assert bad.value.field_errors == {"matter": ["请填写未达成一致的事项"], "positions": ["各方意见不少于10个字"]}
    draft = services.escalate(
        actor=lena, meeting=meeting, matter="市政道路附属工程监管职责划分",
        positions="市住建局认为应由交通运输部门监管；市交通运输局认为属房屋建筑和市政工程范围，应由住建部门监管。")
    with pytest.raises(Conflict, match="报请负责人签发"):
        services.escalate(actor=lena, meeting=meeting, matter="市政道路附属工程监管职责划分", positions="x" * 12)
    signoff.sign(actor=leo, draft=draft)
    escalated = meeting.escalations.get()
    letter = escalated.report_letter
    assert letter.kind == Letter.Kind.REPORT and letter.addressee is None and letter.addressee_name == "洛阳市人民政府"
    assert letter.issuer == lena.memberships.get().department
    text = pdf_text(letter)
    for expected in ("洛阳市人民政府：", "未能就该事项达成一致意见", "市政道路附属工程监管职责划分", "请予决定"):
        assert expected in text, expected
    with pytest.raises(Conflict, match="已提请政府决定"):
        services.escalate(actor=lena, meeting=meeting, matter="市政道路附属工程监管职责划分", positions="x" * 12)

    frozen(at(2026, 3, 20, 10))
    with pytest.raises(DomainError) as bad:
        services.record_government_decision(actor=lena, escalation=escalated, decision="由住建部门监管",
                                            decided_on=at(2026, 3, 18).date(), owner=luoyang["housing"])
    assert bad.value.field_errors == {"due_on": ["请填写完成期限（如 2026-12-01）"]}
    services.record_government_decision(actor=lena, escalation=escalated, decision="由住建部门统一监管，交通部门配合",
                                        decided_on=at(2026, 3, 18).date(), doc_number="洛政文〔2026〕12号",
                                        owner=luoyang["housing"], due_on=at(2026, 4, 15).date())
    escalated.refresh_from_db()
    assert escalated.status == Escalation.Status.DECIDED and escalated.decision_doc_number == "洛政文〔2026〕12号"
    tracked = escalated.decisions.get()
    assert tracked.source == Decision.Source.GOVERNMENT and tracked.owner == luoyang["housing"]
    assert tracked.text.startswith("落实洛阳市人民政府决定：") and tracked.clock.due_at == at(2026, 4, 16, 0, 0)
    with pytest.raises(Conflict, match="已记录"):
        services.record_government_decision(actor=lena, escalation=escalated, decision="再记一次决定",
                                            decided_on=at(2026, 3, 18).date())


def test_the_government_is_named_with_its_city_for_a_district(db):
    from casework.org.services import load_org_preset
    from consultations.models import Mechanism

    depts = load_org_preset(preset="zengdu")
    office = next(d for d in depts if d.is_supervision_office)
    mechanism = Mechanism(jurisdiction=office.jurisdiction, lead=office, name="x", established_on=at(2026, 3, 2))
    assert mechanism.government_name == "随州市曾都区人民政府"


def test_follow_up_belongs_to_the_owner_and_repeats_are_harmless(meeting, luoyang, bob, erin):
    decision = decide(meeting, bob, luoyang)
    with pytest.raises(Forbidden, match="只有洛阳市交通运输局的工作人员"):
        services.add_progress(actor=bob, decision=decision, note="我来报告进展")
    with pytest.raises(DomainError) as bad:
        services.add_progress(actor=erin, decision=decision, note="好")
    assert bad.value.field_errors == {"note": ["进展情况不少于5个字"]}
    first = services.add_progress(actor=erin, decision=decision, note="已调取投标文件")
    assert services.add_progress(actor=erin, decision=decision, note="已调取投标文件").pk == first.pk
    assert decision.progress.count() == 1
    services.complete_decision(actor=erin, decision=decision, result="核查完毕，已立案处理")
    with pytest.raises(Conflict, match="已落实"):
        services.complete_decision(actor=erin, decision=decision, result="核查完毕，已立案处理")
    decision.clock.refresh_from_db()
    assert decision.clock.state == Clock.State.MET


def test_a_decision_starts_a_referral_in_one_step(meeting, luoyang, bob, erin, pete):
    from referrals.models import Clue

    decision = decide(meeting, bob, luoyang)
    kwargs = {"receivers": [luoyang["police"]], "matter": "crime",
              "legal_basis": "《招标投标法》第五十三条、国务院第310号令",
              "materials": ["会议纪要", "投标文件比对报告"], "project_code": "LYGL2026-07",
              "project_name": "国道养护工程", "summary": "会商认定两家投标人涉嫌串通投标，移送公安机关。"}
    with pytest.raises(Forbidden):
        services.refer_from_decision(actor=bob, decision=decision, **kwargs)
    with pytest.raises(DomainError) as bad:
        services.refer_from_decision(actor=erin, decision=decision, **{**kwargs, "project_name": ""})
    assert "project_name" in bad.value.field_errors
    follow = services.refer_from_decision(actor=erin, decision=decision, **kwargs)
    clue = follow.target
    assert isinstance(clue, Clue) and clue.supervising_department == luoyang["transport"]
    assert clue.details["origin"]["type"] == "consultations.decision" and clue.details["origin"]["id"] == decision.pk
    transfer = clue.transfers.get()
    assert transfer.receiver == luoyang["police"] and transfer.transfer_letter.kind == Letter.Kind.TRANSFER
    again = services.refer_from_decision(actor=erin, decision=decision, **kwargs)
    assert again.pk == follow.pk and Clue.objects.count() == 1
    assert decision.progress.get().note.startswith("已据本议定事项移送问题线索")
    assert Notification.objects.filter(recipient=pete, kind="transfer_received").exists()


def test_a_decision_starts_a_joint_action_in_one_step(meeting, luoyang, bob, erin):
    from jointaction.models import JointAction

    decision = decide(meeting, bob, luoyang)
    follow = services.start_joint_action_from_decision(
        actor=erin, decision=decision, kind=JointAction.Kind.ENFORCEMENT, trigger="shared_jurisdiction",
        trigger_note="交通、住建均有管辖权", title="国道养护工程围标串标联合执法", participants=[luoyang["housing"]])
    assert follow.kind == FollowUp.Kind.JOINT_ACTION
    action = follow.target
    assert isinstance(action, JointAction) and action.title == "国道养护工程围标串标联合执法"
    again = services.start_joint_action_from_decision(
        actor=erin, decision=decision, kind=JointAction.Kind.ENFORCEMENT, trigger="shared_jurisdiction",
        trigger_note="交通、住建均有管辖权", title="国道养护工程围标串标联合执法", participants=[luoyang["housing"]])
    assert again.pk == follow.pk and JointAction.objects.count() == 1


def test_decisions_api_lists_states_and_takes_the_owners_progress(meeting, luoyang, bob, erin, lena, frozen):
    decision = decide(meeting, bob, luoyang)
    other = decide(meeting, bob, luoyang, owner="police", due=(2026, 5, 29), text="公安机关立案侦查并通报结果")
    frozen(at(2026, 3, 21, 0, 1))
    escalation.sweep()
    _, token = create_api_client(name="transport-oa", department=luoyang["transport"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    mechanism = meeting.mechanism
    body = api.get(f"/api/v1/consultations/{mechanism.pk}/decisions/").json()
    assert body["count"] == 2
    body = body["results"]
    assert {d["reference"]: d["state"] for d in body} == {decision.reference: "overdue", other.reference: "open"}
    searched = api.get(f"/api/v1/consultations/{mechanism.pk}/decisions/", {"search": "公安 立案"}).json()
    assert [d["id"] for d in searched["results"]] == [other.pk]
    overdue = api.get(f"/api/v1/consultations/{mechanism.pk}/decisions/?state=overdue").json()["results"]
    assert [d["id"] for d in overdue] == [decision.pk]
    assert overdue[0]["clock"]["rule"] == "consultation.decision" and overdue[0]["owner"] == "LY-TRANSPORT"
    bad = api.post(f"/api/v1/consultations/decisions/{decision.pk}/progress/", {"note": "好"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"note": ["进展情况不少于5个字"]}
    ok = api.post(f"/api/v1/consultations/decisions/{decision.pk}/progress/", {"note": "已调取投标文件"}, format="json")
    assert ok.status_code == 201 and ok.json()["progress"][0]["note"] == "已调取投标文件"
    forbidden = api.post(f"/api/v1/consultations/decisions/{other.pk}/progress/", {"note": "不是我的事项"},
                         format="json")
    assert forbidden.status_code == 403
    done = api.post(f"/api/v1/consultations/decisions/{decision.pk}/complete/", {"result": "已核查并立案"},
                    format="json")
    assert done.status_code == 200 and done.json()["state"] == "done-late"


def test_board_page_flags_overdue_and_filters(client, meeting, luoyang, bob, lena, frozen):
    decide(meeting, bob, luoyang)
    decide(meeting, bob, luoyang, owner="police", due=(2026, 5, 29), text="公安机关立案侦查并通报结果")
    frozen(at(2026, 3, 21, 0, 1))
    escalation.sweep()
    client.force_login(lena)
    page = client.get(f"/consultations/{meeting.mechanism_id}/decisions/").content.decode()
    assert page.count('data-state="overdue"') == 1 and page.count('data-state="open"') == 1
    assert "已超期 1" in page
    page = client.get(f"/consultations/{meeting.mechanism_id}/decisions/?owner=LY-POLICE").content.decode()
    assert 'data-state="overdue"' not in page and "公安机关立案侦查" in page
    page = client.get(f"/consultations/{meeting.mechanism_id}/decisions/?search=立案侦查").content.decode()
    assert page.count("data-state=") == 1 and "公安机关立案侦查" in page
    import io

    import openpyxl

    ledger = client.get(f"/consultations/{meeting.mechanism_id}/decisions/?state=overdue&export=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(ledger.content)).active.values)
    assert rows[0][:3] == ("编号", "议定事项", "责任单位") and len(rows) == 2 and rows[1][5] == "已超期"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clicks_at_once_issue_one_set_of_minutes(meeting, carol):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    results, errors = run_concurrently(*[lambda: services.issue_minutes(actor=carol, meeting=meeting)] * 2)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert Letter.objects.filter(kind=Letter.Kind.MINUTES).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_owner_completing_twice_at_once_closes_once(meeting, luoyang, bob, erin):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    decision = decide(meeting, bob, luoyang)
    results, errors = run_concurrently(
        *[lambda: services.complete_decision(actor=erin, decision=decision, result="核查完毕，已立案处理")] * 2)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert Event.objects.filter(action="consultation.decision_done").count() == 1


def test_a_late_result_is_recorded_late_even_before_the_sweep_ran(meeting, luoyang, bob, erin, lena, frozen):
    decision = decide(meeting, bob, luoyang)
    frozen(at(2026, 3, 25, 10))  # past 20 March; no sweep has marked it
    services.complete_decision(actor=erin, decision=decision, result="核查完毕，已立案处理")
    assert Event.objects.get(action="consultation.decision_done").after["late"] is True
    assert selectors.decisions_board(lena, meeting.mechanism)[0].state == "done-late"
