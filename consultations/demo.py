"""Demo data for the consultation mechanism, through the same services a user would go through (idempotent: a
jurisdiction that has its mechanism is left alone). Per jurisdiction with demo users: the mechanism with every
department as a member and their contacts, this period's regular meeting held with minutes and three decisions
(one carried out), an ad-hoc bilateral meeting awaiting replies, a draft trading rule out for comments, and a
liaison change the lead department noted and the unit has yet to report."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework.clocks.timing import start_of_day
from casework.org.models import Department, Jurisdiction
from consultations import selectors, services
from consultations.models import ContactRole, Mechanism, Meeting

AREA_CODES = {"4103": "0379", "4104": "0375", "2304": "0468", "3710": "0631", "4213": "0722"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["建国", "红梅", "志强", "海燕", "立新", "文斌", "晓东", "丽娟", "振华", "国庆", "秀英", "卫东", "明辉",
         "春燕", "新华", "玉兰", "永刚", "淑珍", "德明", "桂芳", "俊杰", "雪梅", "宏伟", "静怡", "长青", "亚军"]


def _user(dept: Department, role: str = "handler"):
    return get_user_model().objects.filter(username=f"{dept.code.lower()}.{role}").first()


def _person(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)]


def seed(*, stdout) -> None:
    for jurisdiction in Jurisdiction.objects.order_by("code"):
        if Mechanism.objects.filter(jurisdiction=jurisdiction).exists():
            continue
        lead = Department.objects.filter(jurisdiction=jurisdiction, is_supervision_office=True, active=True).first()
        departments = list(Department.objects.filter(jurisdiction=jurisdiction, active=True).order_by("code"))
        if lead is None or len(departments) < 4 or not all(_user(d) and _user(d, "liaison") for d in departments):
            continue
        with transaction.atomic():
            mechanism = _seed_jurisdiction(jurisdiction, lead, departments)
        stdout.write(f"会商联席：已建立{mechanism.name}（{len(departments)} 个成员单位）"
                     "及演示会议、议定事项、征求意见。")


def _seed_jurisdiction(jurisdiction: Jurisdiction, lead: Department, departments: list[Department]) -> Mechanism:
    today = timezone.localdate()
    area = AREA_CODES.get(jurisdiction.code[:4], "0371")
    by_type: dict[str, Department] = {}
    for d in departments:
        by_type.setdefault(d.type, d)
    officer = _user(lead)
    mechanism = services.establish_mechanism(
        actor=officer, lead=lead, name=f"{jurisdiction.name}公共资源交易协同监管会商机制",
        basis="公共资源交易协同监管工作机制（演示）", established_on=today.replace(day=1),
        members=[d for d in departments if d != lead])
    for n, member in enumerate(mechanism.members.select_related("department").order_by("department__code")):
        liaison = _user(member.department, "liaison")
        for role, post, k in ((ContactRole.LEADER, "副局长", 2 * n), (ContactRole.LIAISON, "科长", 2 * n + 1)):
            phone = f"{area}-6{(jurisdiction.pk * 100 + k) % 1000:03d}{k:04d}"
            services.report_contacts(actor=liaison, member=member, role=role, contact=services.Contact(
                _person(k + int(jurisdiction.code[:4])), post, phone))

    # This period's regular meeting, held today, with minutes and decisions.
    now = timezone.now()
    housing = by_type.get("housing") or next(d for d in departments if d != lead and d.is_supervising)
    centre = by_type.get("trading_centre") or next(d for d in departments if d not in (lead, housing))
    police = by_type.get("police") or next(d for d in departments if d not in (lead, housing, centre))
    period = selectors.next_regular(mechanism)
    regular = services.schedule_meeting(
        actor=officer, mechanism=mechanism, convener=lead, submission_key=f"demo:regular:{jurisdiction.code}",
        data=services.MeetingInput(
            kind=Meeting.Kind.REGULAR, title=f"{period.label}协同监管会商会议（演示）",
            place=f"{lead.display_name}三楼会议室", starts_at=now + dt.timedelta(minutes=1), reply_due_on=today,
            agenda=["通报上一阶段投诉处理和线索移送情况", "研究围标串标线索联合查处工作", "征求交易规则修订意见"],
            purpose="分析研究公共资源交易活动中存在的违法违规行为，协调跨部门监管。"))
    for invitation in regular.invitations.filter(is_convener=False).select_related("department"):
        member = mechanism.members.get(department=invitation.department)
        services.reply_invitation(actor=_user(invitation.department, "liaison"), invitation=invitation, attending=True,
                                  attendees=[{"name": member.leader_name, "post": member.leader_post},
                                             {"name": member.liaison_name, "post": member.liaison_post}])
    chair = mechanism.members.get(department=lead).leader_name
    attendance = {i.pk: [p["name"] for p in i.attendees] or [chair] for i in regular.invitations.all()}
    services.record_meeting(
        actor=officer, meeting=regular, held_at=timezone.now(), place=regular.place,
        chair=f"{chair}（{lead.display_name}副主任）",
        summary="会议听取了各成员单位上一阶段协同监管工作情况汇报，分析了当前招标投标领域围标串标、弄虚作假等突出问题。"
                "\n\n会议强调，各成员单位要加强信息共享和线索移送，对交易中心推送的预警线索及时研判处理，形成监管合力。",
        attendance=attendance)
    done = services.add_decision(actor=officer, meeting=regular, owner=centre, due_on=today + dt.timedelta(days=20),
                                 text="交易中心完善“数字见证”系统标书特征码一致性分析功能，并向各行政监督部门开放查询。")
    services.add_decision(actor=officer, meeting=regular, owner=housing, due_on=today + dt.timedelta(days=45),
                          text="住建部门牵头对近一年房屋建筑工程中标率异常企业开展专项检查，检查结果报牵头部门。")
    services.add_decision(actor=officer, meeting=regular, owner=police, due_on=today + dt.timedelta(days=30),
                          text="公安机关对移送的串通投标线索加快侦办，并将办理情况通报相关行政监督部门。")
    services.issue_minutes(actor=_user(lead, "leader"), meeting=regular)  # the minutes: the leader's act
    services.add_progress(actor=_user(centre), decision=done, note="已完成功能开发，正在组织测试。")
    services.complete_decision(actor=_user(centre), decision=done,
                               result="系统功能已上线，各行政监督部门可通过数字见证系统查询标书特征码比对结果。")

    # An ad-hoc bilateral meeting a supervising department started, awaiting the other side's reply.
    other = by_type.get("transport") or next(d for d in departments if d not in (lead, housing, centre, police))
    services.schedule_meeting(
        actor=_user(housing), mechanism=mechanism, convener=housing, submission_key=f"demo:adhoc:{jurisdiction.code}",
        data=services.MeetingInput(
            kind=Meeting.Kind.AD_HOC, scope=Meeting.Scope.BILATERAL, title="市政道路工程监管职责边界协调会（演示）",
            place=f"{housing.display_name}会议室", starts_at=start_of_day(today + dt.timedelta(days=7))
            + dt.timedelta(hours=9, minutes=30),
            reply_due_on=today + dt.timedelta(days=3), invitees=[other],
            agenda=["明确市政道路附属工程招标投标监管职责边界"]))

    # A draft trading rule out for comments, one reply in.
    solicitation = services.solicit_comments(
        actor=_user(housing), mechanism=mechanism, initiator=housing,
        submission_key=f"demo:solicit:{jurisdiction.code}",
        data=services.SolicitationInput(
            kind="trading_rule", title="房屋建筑和市政基础设施工程招标投标监督管理实施细则（修订）",
            draft_text="第一条 为规范房屋建筑和市政基础设施工程招标投标活动，根据有关法律法规，"
                       "结合本地实际，制定本细则。\n\n"
                       "第二条 本细则适用于本行政区域内依法必须进行招标的房屋建筑和市政基础设施工程。\n\n"
                       "第三条 招标人应当在招标公告中载明招标投标行政监督部门及投诉电话。",
            deadline=today + dt.timedelta(days=10), recipients=[d for d in departments if d != housing]))
    first = solicitation.replies.select_related("department").filter(department=centre).first()
    if first is not None:
        services.reply_comments(actor=_user(centre), reply=first, no_comments=True)

    # A liaison change the lead department learnt of; the unit must report it.
    member = mechanism.members.filter(department=other).first()
    if member is not None:
        services.note_contact_change(actor=officer, member=member, role=ContactRole.LIAISON,
                                     changed_on=today - dt.timedelta(days=1), note="联络员工作调动（演示）")
    return mechanism
