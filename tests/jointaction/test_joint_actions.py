"""Joint enforcement and joint inspection: trigger, plan versions settled with the participants, findings per
participant (handled or referred in one step), one public notice and one consistent report upward."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from casework.clocks.escalation import sweep
from casework.clocks.models import Clock, EscalationStep
from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError, Forbidden
from casework.handoffs.models import Handoff
from casework.letters import signoff
from casework.letters.models import Letter
from casework.letters.services import get_letter
from jointaction import selectors, services
from jointaction.models import Finding, JointAction, Participant, PlanVersion, Trigger
from referrals.models import Clue, Matter
from tests.conftest import at

pytestmark = pytest.mark.django_db

PLAN = dict(purpose="查处房建工程领域串通投标、弄虚作假行为", targets="2026年完成招标的政府投资房建项目",
            scope="市本级", content="投标文件、企业登记档案、人员社保缴纳记录", schedule="2026年12月1日至12月15日",
            method="书面检查与实地核查相结合", steps="一、调阅资料；二、现场核查；三、汇总处理")


def start(bob, luoyang, **kw):
    args = dict(actor=bob, initiator=luoyang["housing"], kind=JointAction.Kind.ENFORCEMENT,
                trigger=Trigger.OVERLAPPING_DUTIES, title="房建工程串通投标专项联合执法",
                participants=[luoyang["market_regulation"], luoyang["police"]])
    args.update(kw)
    return services.start_action(**args)


def duties(luoyang):
    return {luoyang["housing"].code: "牵头组织，核查投标文件",
            luoyang["market_regulation"].code: "核查企业登记和股权关系",
            luoyang["police"].code: "对涉嫌犯罪线索提前介入"}


def propose(bob, action, luoyang, **kw):
    args = dict(actor=bob, action=action, duties=duties(luoyang), initiator_staff=["张三 科长", "李四 执法员"],
                reply_by=dt.date(2026, 11, 27), **PLAN)
    args.update(kw)
    return services.propose_plan(**args)


def settle(bob, mark, pete, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    action = start(bob, luoyang)
    version = propose(bob, action, luoyang)
    services.reply_plan(actor=mark, action=action, department=luoyang["market_regulation"], version=version.number,
                        confirm=True, staff=["王五 执法员"])
    services.reply_plan(actor=pete, action=action, department=luoyang["police"], version=version.number,
                        confirm=True, staff="赵六 民警\n钱七 民警")
    return JointAction.objects.get(pk=action.pk)


def test_start_needs_a_supervising_initiator_a_trigger_and_participants(bob, alice, luoyang):
    with pytest.raises(Forbidden):
        start(alice, luoyang, initiator=luoyang["trading_centre"])   # the trading centre takes part, not initiates
    with pytest.raises(Forbidden):
        start(alice, luoyang)                                          # not a member of the housing bureau
    with pytest.raises(DomainError) as err:
        start(bob, luoyang, trigger=Trigger.OTHER, participants=[luoyang["housing"]], title="")
    assert set(err.value.field_errors) == {"trigger_note", "participants", "title"}
    action = start(bob, luoyang, trigger=Trigger.OTHER, trigger_note="上级部署的交叉检查任务")
    assert action.state == JointAction.State.DRAFT and action.reference.startswith("LH")
    assert action.participants.count() == 2


def test_plan_needs_every_part_and_each_participants_duties(bob, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    action = start(bob, luoyang)
    partial = duties(luoyang)
    del partial[luoyang["police"].code]
    with pytest.raises(DomainError) as err:
        propose(bob, action, luoyang, duties=partial, purpose="", initiator_staff=[], reply_by=dt.date(2026, 11, 20))
    assert {f"duty_{luoyang['police'].code}", "purpose", "initiator_staff", "reply_by"} <= set(err.value.field_errors)
    assert not PlanVersion.objects.exists()


def test_comment_revise_confirm_settles_and_keeps_every_version(bob, mark, pete, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    action = start(bob, luoyang)
    v1 = propose(bob, action, luoyang)
    clocks = clocks_for(action).filter(closed_at__isnull=True)
    assert {c.department for c in clocks} == {luoyang["market_regulation"], luoyang["police"]}
    assert all(c.set_due_on == dt.date(2026, 11, 27) for c in clocks)
    with pytest.raises(DomainError) as err:
        services.reply_plan(actor=mark, action=action, department=luoyang["market_regulation"], version=1,
                            confirm=True, staff=[])
    assert "staff" in err.value.field_errors
    with pytest.raises(Forbidden):
        services.reply_plan(actor=mark, action=action, department=luoyang["police"], version=1, confirm=True,
                            staff=["冒名"])
    services.reply_plan(actor=mark, action=action, department=luoyang["market_regulation"], version=1,
                        confirm=False, comment="建议将检查时间延长至12月20日，以便调取档案。")
    with pytest.raises(Conflict):
        services.reply_plan(actor=mark, action=action, department=luoyang["market_regulation"], version=1,
                            confirm=True, staff=["王五"])   # already answered this version
    with pytest.raises(Conflict):   # someone revised meanwhile: the stale editor is refused
        propose(bob, action, luoyang, based_on=0, change_note="并发修改")
    with pytest.raises(DomainError):
        propose(bob, action, luoyang, based_on=1)          # a revision says what changed
    v2 = propose(bob, action, luoyang, based_on=1, schedule="2026年12月1日至12月20日",
                 change_note="按市场监管局意见延长检查时间")
    assert v2.number == 2 and PlanVersion.objects.filter(action=action).count() == 2
    cancelled = clocks_for(action).filter(state=Clock.State.CANCELLED)
    assert cancelled.count() == 1   # police had not answered v1; market regulation's v1 clock was met
    with pytest.raises(Conflict):
        services.reply_plan(actor=pete, action=action, department=luoyang["police"], version=v1.number,
                            confirm=True, staff=["赵六"])
    services.reply_plan(actor=pete, action=action, department=luoyang["police"], version=2, confirm=True,
                        staff=["赵六 民警"])
    action.refresh_from_db()
    assert action.state == JointAction.State.CONSULTING
    services.reply_plan(actor=mark, action=action, department=luoyang["market_regulation"], version=2, confirm=True,
                        staff=["王五 执法员"])
    action.refresh_from_db()
    assert action.state == JointAction.State.SETTLED and action.settled_version == v2
    assert set(Participant.objects.filter(action=action).values_list("reply", flat=True)) == {"confirmed"}
    assert not clocks_for(action).filter(closed_at__isnull=True).exists()
    with pytest.raises(Conflict):
        propose(bob, action, luoyang, based_on=2, change_note="方案确定后不能再改")


def test_unanswered_plan_escalates(bob, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    action = start(bob, luoyang)
    propose(bob, action, luoyang)
    frozen(at(2026, 12, 2, 9))
    sweep()
    police = clocks_for(action).get(department=luoyang["police"])
    assert police.state == Clock.State.BREACHED
    assert EscalationStep.objects.filter(clock=police, kind="breach").exists()


def test_findings_own_duty_or_referred_in_one_step(bob, mark, pete, erin, luoyang, frozen):
    action = settle(bob, mark, pete, luoyang, frozen)
    with pytest.raises(Forbidden):
        services.record_finding(actor=erin, action=action, department=luoyang["transport"], target="某公司",
                                description="交通局不是参与部门", measures="无")
    own = services.record_finding(actor=mark, action=action, department=luoyang["market_regulation"],
                                  target="甲建设有限公司", description="股东变更登记与投标文件载明不一致",
                                  measures="责令限期改正，立案调查", submission_key="f-1")
    again = services.record_finding(actor=mark, action=action, department=luoyang["market_regulation"],
                                    target="甲建设有限公司", description="股东变更登记与投标文件载明不一致",
                                    measures="责令限期改正，立案调查", submission_key="f-1")
    assert again.pk == own.pk and Finding.objects.count() == 1
    with pytest.raises(DomainError) as err:
        services.refer_finding(actor=bob, action=action, department=luoyang["housing"], target="乙公司",
                               description="项目负责人收受好处费", receiver=luoyang["discipline"],
                               matter=Matter.OFFICIAL_MISCONDUCT, legal_basis="", materials=[])
    assert {"legal_basis", "materials"} <= set(err.value.field_errors)
    assert not Clue.objects.exists() and Finding.objects.count() == 1   # nothing half-written
    referred = services.refer_finding(
        actor=bob, action=action, department=luoyang["housing"], target="乙建筑工程有限公司",
        project_code="LYGC2026-118", description="招标人代表（公职人员）涉嫌收受投标人好处费",
        receiver=luoyang["discipline"], matter=Matter.OFFICIAL_MISCONDUCT,
        legal_basis="《中华人民共和国监察法》第十一条", materials="询问笔录\n银行转账记录", submission_key="f-2")
    clue = referred.clue
    assert referred.handling == Finding.Handling.REFERRED and clue.status == Clue.Status.TRANSFERRED
    assert clue.details["origin"]["type"] == "jointaction.finding"
    transfer = clue.transfers.get()
    assert transfer.receiver == luoyang["discipline"] and transfer.transfer_letter.kind == Letter.Kind.TRANSFER
    assert transfer.handoff.state == Handoff.State.SENT
    decision = clocks_for(clue).get(rule_version__rule__key="referral.transfer")
    assert decision.state == Clock.State.MET
    assert services.refer_finding(actor=bob, action=action, department=luoyang["housing"], target="x",
                                  description="重复提交的同一表单", receiver=luoyang["discipline"],
                                  matter=Matter.OFFICIAL_MISCONDUCT, legal_basis="同上", materials=["同上"],
                                  submission_key="f-2").pk == referred.pk


def test_conclude_report_and_publish_once(bob, carol, lily, mark, pete, luoyang, frozen, client):
    action = settle(bob, mark, pete, luoyang, frozen)
    with pytest.raises(Conflict):
        services.publish_action(actor=carol, action=action, public_text="还没结束就公布是不允许的。")
    services.record_finding(actor=mark, action=action, department=luoyang["market_regulation"], target="甲建设有限公司",
                            description="股东变更登记与投标文件不一致", measures="责令限期改正")
    services.record_finding(actor=pete, action=action, department=luoyang["police"], target="丙公司",
                            description="涉嫌串通投标，数额较大", measures="已立案侦查")
    frozen(at(2026, 12, 16, 10))
    with pytest.raises(Forbidden):
        services.conclude_action(actor=mark, action=action, summary="参与部门不能结束行动，只有发起部门可以。")
    # ending the action and speaking for all its departments are the initiator's leader's acts
    for staff in (bob, lily):
        with pytest.raises(Forbidden, match="结束联合行动须由洛阳市住房和城乡建设局的负责人办理"):
            services.conclude_action(actor=staff, action=action, summary="经办人或联络员不能结束联合行动。")
    action = services.conclude_action(actor=carol, action=action, summary="共检查项目12个，发现问题2个，均已依法处理。")
    with pytest.raises(Conflict):
        services.record_finding(actor=mark, action=action, department=luoyang["market_regulation"], target="丁",
                                description="结束后再记录", measures="无")
    with pytest.raises(Forbidden, match="须由洛阳市住房和城乡建设局的经办人或负责人办理"):  # a liaison drafts nothing
        services.issue_report(actor=lily, action=action, addressee_name="洛阳市人民政府")
    # the profile requires sign-off for reports (上行文): the handler drafts, the leader signs
    action = services.issue_report(actor=bob, action=action, addressee_name="洛阳市人民政府")
    with pytest.raises(Conflict):  # waiting for the leader's sign-off: no second draft
        services.issue_report(actor=bob, action=action, addressee_name="洛阳市人民政府")
    signoff.sign(actor=carol, draft=action.report_draft)
    action.refresh_from_db()
    report = action.report_letter
    assert report.kind == Letter.Kind.REPORT and report.addressee_name == "洛阳市人民政府"
    assert "甲建设有限公司" in report.body and "丙公司" in report.body and "市场监督管理局依法处理" in report.body
    assert "联合执法联合执法" not in report.title
    assert set(report.readers.all()) == {luoyang["market_regulation"], luoyang["police"]}
    assert get_letter(pete, report.pk) == report   # participants read the one report
    with pytest.raises(Conflict):
        services.issue_report(actor=carol, action=action, addressee_name="洛阳市人民政府")
    action = services.publish_action(actor=carol, action=action,
                                     public_text="2026年12月，市住建局会同市市场监管局、市公安局开展联合执法，检查项目12个。")
    assert action.state == JointAction.State.PUBLISHED and action.notice_letter.kind == Letter.Kind.PUBLIC_NOTICE
    with pytest.raises(Conflict):
        services.publish_action(actor=carol, action=action, public_text="重复公布同一联合行动。")
    assert list(selectors.published_actions()) == [action]
    page = Client().get(reverse("jointaction:public"))
    assert page.status_code == 200 and "检查项目12个" in page.content.decode()
    pdf = Client().get(reverse("casework:public_letter_pdf", args=[action.notice_letter.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert Client().get(reverse("casework:public_letter_pdf", args=[report.pk])).status_code == 404
    assert get_letter(bob, report.pk) == report


def test_started_from_an_origin_once(bob, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    origin = start(bob, luoyang, title="来源事项")   # any saved object stands in for a meeting's decision
    first = start(bob, luoyang, origin=origin)
    assert start(bob, luoyang, origin=origin).pk == first.pk
    assert first.origin_label == str(origin) and first.origin_url == origin.get_absolute_url()


def test_visibility(bob, mark, erin, dave, luoyang):
    action = start(bob, luoyang)
    assert list(selectors.visible_actions(mark)) == [action]
    assert list(selectors.visible_actions(dave)) == [action]
    assert list(selectors.visible_actions(erin)) == []
