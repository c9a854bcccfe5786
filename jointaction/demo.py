"""Demo data for assistance letters and joint actions, through the same services a user would go through
(idempotent): one assistance letter awaiting review, one being assisted, and a joint action whose plan is out for
comment, so each party has something to do."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.org.models import Department
from jointaction import services
from jointaction.models import AssistanceRequest, JointAction, Trigger


def seed(*, stdout) -> None:
    by_type: dict[str, Department] = {}
    for d in Department.objects.filter(active=True).order_by("jurisdiction__code", "code"):
        by_type.setdefault(d.type, d)
    needed = ("housing", "market_regulation", "police", "finance")
    if any(t not in by_type for t in needed):
        return
    housing, market, police, finance = (by_type[t] for t in needed)
    User = get_user_model()

    def staff(dept):
        return User.objects.get(username=f"{dept.code.lower()}.handler")

    created = 0
    base = dict(requester=housing, case_name="城区雨污分流改造工程串通投标案（演示）",
                case_summary="演示数据：两家投标人的项目负责人社保缴纳单位相同，我局已立案调查。",
                reasons="核实投标人之间是否存在控股、管理关系。", materials=["立案审批表", "社保缴纳记录比对表"])
    _, new = services.request_assistance(
        actor=staff(housing), assistant=market, submission_key=f"demo:{housing.code}:1",
        matters="调取两家投标企业的登记档案及股东变更记录。", **base)
    created += new
    second, new = services.request_assistance(
        actor=staff(housing), assistant=finance, submission_key=f"demo:{housing.code}:2",
        matters="核实该项目财政资金的拨付进度及中标单位的收款情况。",
        reply_by=timezone.localdate() + dt.timedelta(days=10), **base)
    created += new
    if second.state == AssistanceRequest.State.SENT:
        services.accept_assistance(actor=staff(finance), request=second)

    title = "房建工程串通投标专项联合执法（演示）"
    if not JointAction.objects.filter(initiator=housing, title=title).exists():
        action = services.start_action(actor=staff(housing), initiator=housing, kind=JointAction.Kind.ENFORCEMENT,
                                       trigger=Trigger.OVERLAPPING_DUTIES, title=title, participants=[market, police])
        services.propose_plan(
            actor=staff(housing), action=action, purpose="查处房建工程领域串通投标、弄虚作假行为",
            targets="今年完成招标的政府投资房建项目", scope="市本级",
            content="投标文件、企业登记档案、人员社保缴纳记录", schedule="下月1日至15日",
            method="书面检查与实地核查相结合", steps="一、调阅资料；二、现场核查；三、汇总处理",
            duties={housing.code: "牵头组织，核查投标文件", market.code: "核查企业登记和股权关系",
                    police.code: "对涉嫌犯罪线索提前介入"},
            initiator_staff=["住建局经办人 科长"], reply_by=timezone.localdate() + dt.timedelta(days=7))
        created += 1
    created += _published_action(housing, market, police, staff)
    if created:
        stdout.write(f"协助办理与联合执法演示事项：新增 {created} 项")


def _published_action(housing, market, police, staff) -> int:
    """A joint inspection carried through to its unified public notice (Zengdu 第二十条), so the public portal's
    joint-action notices have a row: plan confirmed by both participants, on-site work concluded, published by the
    initiator's leader."""
    title = "政府投资房建项目评标专家抽取专项联合检查（演示）"
    if JointAction.objects.filter(initiator=housing, title=title).exists():
        return 0
    leader = get_user_model().objects.get(username=f"{housing.code.lower()}.leader")
    action = services.start_action(actor=staff(housing), initiator=housing, kind=JointAction.Kind.INSPECTION,
                                   trigger=Trigger.OVERLAPPING_DUTIES, title=title, participants=[market, police])
    services.propose_plan(
        actor=staff(housing), action=action, purpose="检查评标专家抽取、回避和评标过程是否合规",
        targets="上季度开标的政府投资房建项目", scope="市本级", content="专家抽取记录、评标录像、评标报告",
        schedule="上月10日至20日", method="调阅资料与现场询问相结合", steps="一、调阅资料；二、询问；三、汇总处理",
        duties={housing.code: "牵头组织，检查评标过程", market.code: "核查企业登记信息",
                police.code: "对涉嫌犯罪线索提前介入"},
        initiator_staff=["住建局经办人 科长"], reply_by=timezone.localdate() + dt.timedelta(days=7))
    action.refresh_from_db()
    version = action.versions.order_by("-number").first().number
    for dept in (market, police):
        services.reply_plan(actor=staff(dept), action=action, department=dept, version=version, confirm=True,
                            staff=[f"{dept.display_name}经办人"])
    action.refresh_from_db()
    services.conclude_action(actor=leader, action=action,
                             summary="演示数据：共检查项目12个，发现评标专家未按规定回避问题1起，已责令整改。")
    action.refresh_from_db()
    services.publish_action(actor=leader, action=action,
                            public_text="演示数据：住建、市场监管、公安部门联合检查政府投资房建项目12个，发现评标专家"
                                        "未按规定回避问题1起，已依法责令整改。")
    return 1
