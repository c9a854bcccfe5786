"""Meetings: notice with agenda and invitations (reply clock to the convener's date), proposals to the agenda,
replies, the record of who came, regular meetings meeting their period clock, cancellation, and who may act."""

import pytest

from casework.clocks import escalation
from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.models import Event
from casework.notifications.models import Notification
from consultations import services
from consultations.models import AgendaItem, Invitation, Meeting
from tests.conftest import at

from .conftest import SET_UP, held_meeting, meeting_input


def invitation(meeting, dept) -> Invitation:
    return meeting.invitations.get(department=dept)


def test_any_member_unit_starts_an_ad_hoc_meeting_with_reply_clocks(mechanism, luoyang, bob, erin, pete, lena):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    assert meeting.reference.startswith("HS2026") and meeting.status == Meeting.Status.SCHEDULED
    assert [a.title for a in meeting.agenda.all()] == ["通报线索移送情况", "研究联合查处方案"]
    assert all(a.status == AgendaItem.Status.ADOPTED for a in meeting.agenda.all())
    convener = meeting.invitations.get(is_convener=True)
    assert convener.department == luoyang["housing"] and convener.clock is None
    for dept in (luoyang["transport"], luoyang["police"]):
        inv = invitation(meeting, dept)
        assert inv.reply == Invitation.Reply.PENDING
        # consultation.meeting_reply has no fixed limit: it runs to the date the convener set (Friday 6 March)
        assert inv.clock.due_at == at(2026, 3, 7, 0, 0) and inv.clock.set_due_on.isoformat() == "2026-03-06"
        assert inv.clock.department == dept and inv.clock.counterpart == luoyang["housing"]
    assert Notification.objects.filter(recipient=erin, kind="consultation_invitation").exists()
    assert Notification.objects.filter(recipient=pete, kind="consultation_invitation").exists()
    assert Notification.objects.filter(recipient=lena, kind="consultation_meeting").exists()  # the lead is told


def test_meeting_notice_errors_name_the_field(mechanism, luoyang, bob, lena, frozen):
    cases = [
        ({"title": "", "place": ""}, {"title": ["请填写会议主题"], "place": ["请填写会议地点"]}),
        ({"starts_at": at(2026, 3, 1, 9)}, {"starts_at": ["会议时间须晚于当前时间"]}),
        ({"reply_due_on": at(2026, 3, 11).date()}, {"reply_due_on": ["答复期限不能晚于会议日期"]}),
        ({"reply_due_on": at(2026, 3, 1).date()}, {"reply_due_on": ["答复期限不能早于今天"]}),
        ({"agenda": [" ", ""]}, {"agenda": ["请至少列出一个议题（会议议程）"]}),
        ({"scope": Meeting.Scope.BILATERAL}, {"invitees": ["双方联席会议只邀请一个配合单位"]}),
        ({"invitees": []}, {"invitees": ["请至少邀请一个成员单位"]}),
        ({"kind": Meeting.Kind.REGULAR},
         {"kind": ["定期会商会议由牵头部门洛阳市发展和改革委员会召集；其他成员单位可发起专题会商"]}),
    ]
    for overrides, expected in cases:
        with pytest.raises(DomainError) as bad:
            services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                      data=meeting_input(luoyang, **overrides))
        assert bad.value.field_errors == expected, overrides
        assert bad.value.message.startswith("会议通知有误：")
    with pytest.raises(Forbidden, match="只有洛阳市交通运输局的工作人员"):
        services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["transport"],
                                  data=meeting_input(luoyang))
    assert not Meeting.objects.exists()
    assert not Clock.objects.filter(rule_version__rule__key="consultation.meeting_reply").exists()


def test_a_double_submitted_notice_makes_one_meeting(mechanism, luoyang, bob):
    first = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                      data=meeting_input(luoyang), submission_key="form-1")
    again = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                      data=meeting_input(luoyang), submission_key="form-1")
    assert again.pk == first.pk and Meeting.objects.count() == 1
    assert Invitation.objects.count() == 3


def test_a_regular_meeting_invites_every_member_and_only_the_lead_convenes_it(mechanism, luoyang, lena, drc):
    meeting = services.schedule_meeting(actor=lena, mechanism=mechanism, convener=drc,
                                        data=meeting_input(luoyang, kind=Meeting.Kind.REGULAR, invitees=[]))
    assert meeting.invitations.count() == mechanism.members.count()
    with pytest.raises(DomainError) as bad:
        services.schedule_meeting(actor=lena, mechanism=mechanism, convener=drc,
                                  data=meeting_input(luoyang, kind=Meeting.Kind.REGULAR, scope=Meeting.Scope.BILATERAL))
    assert "scope" in bad.value.field_errors


def test_replies_complete_the_clock_and_repeat_without_noise(mechanism, luoyang, bob, erin, pete, frozen):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    inv = invitation(meeting, luoyang["transport"])
    with pytest.raises(DomainError) as bad:
        services.reply_invitation(actor=erin, invitation=inv, attending=True, attendees=[])
    assert bad.value.field_errors == {"attendees": ["请填写参会人员（姓名、职务）"]}
    with pytest.raises(DomainError) as bad:
        services.reply_invitation(actor=erin, invitation=inv, attending=False, reason="")
    assert bad.value.field_errors == {"decline_reason": ["不参加须说明理由（不少于4个字）"]}
    with pytest.raises(Forbidden, match="只有洛阳市交通运输局的工作人员"):
        services.reply_invitation(actor=pete, invitation=inv, attending=True, attendees=[{"name": "孙", "post": ""}])
    frozen(at(2026, 3, 4, 15))
    people = [{"name": "赵立新", "post": "副局长"}, {"name": "孙海燕", "post": "科长"}]
    services.reply_invitation(actor=erin, invitation=inv, attending=True, attendees=people)
    inv.refresh_from_db()
    assert inv.reply == Invitation.Reply.ATTENDING and inv.attendees == people
    inv.clock.refresh_from_db()
    assert inv.clock.state == Clock.State.MET
    replies = Event.objects.filter(action="consultation.invitation_replied").count()
    services.reply_invitation(actor=erin, invitation=inv, attending=True, attendees=people)  # a double click
    assert Event.objects.filter(action="consultation.invitation_replied").count() == replies
    services.reply_invitation(actor=erin, invitation=inv, attending=True, attendees=people[:1])  # a change
    assert Event.objects.filter(action="consultation.invitation_replied").count() == replies + 1
    assert Notification.objects.filter(recipient=bob, kind="consultation_reply").count() == 2
    with pytest.raises(Conflict, match="发起部门无需答复"):
        services.reply_invitation(actor=bob, invitation=meeting.invitations.get(is_convener=True), attending=True,
                                  attendees=people)


def test_an_unanswered_invitation_escalates_like_any_clock(mechanism, luoyang, bob, erin, frozen):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    frozen(at(2026, 3, 7, 0, 1))
    escalation.sweep()
    inv = invitation(meeting, luoyang["transport"])
    inv.clock.refresh_from_db()
    assert inv.clock.state == Clock.State.BREACHED
    assert Notification.objects.filter(recipient=erin, kind="breach", clock=inv.clock).exists()
    # a late answer is still taken, and recorded late
    services.reply_invitation(actor=erin, invitation=inv, attending=False, reason="与专项检查时间冲突")
    inv.clock.refresh_from_db()
    assert inv.clock.closed_at is not None and inv.clock.state == Clock.State.BREACHED


def test_members_propose_agenda_items_and_the_convener_settles_them(mechanism, luoyang, bob, erin, lena):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    item = services.propose_agenda_item(actor=erin, meeting=meeting, department=luoyang["transport"],
                                        title="明确市政道路附属工程监管边界", description="道路附属管网工程由谁监管")
    assert item.status == AgendaItem.Status.PROPOSED
    assert Notification.objects.filter(recipient=bob, kind="consultation_agenda").exists()
    with pytest.raises(Conflict, match="议程中已有议题"):
        services.propose_agenda_item(actor=erin, meeting=meeting, department=luoyang["transport"],
                                     title="明确市政道路附属工程监管边界")
    with pytest.raises(Forbidden, match="未受邀参加该会议"):
        services.propose_agenda_item(actor=lena, meeting=meeting, department=lena.memberships.get().department,
                                     title="另一个议题")
    with pytest.raises(Forbidden):
        services.decide_agenda_item(actor=erin, item=item, adopt=True)
    with pytest.raises(DomainError) as bad:
        services.decide_agenda_item(actor=bob, item=item, adopt=False, reason="")
    assert bad.value.field_errors == {"reason": ["不列入议程须说明理由（不少于4个字）"]}
    services.decide_agenda_item(actor=bob, item=item, adopt=True)
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.ADOPTED
    with pytest.raises(Conflict, match="已列入议程"):
        services.decide_agenda_item(actor=bob, item=item, adopt=False, reason="重复议题")


def test_recording_the_meeting_keeps_who_came_and_closes_unanswered_clocks(mechanism, luoyang, bob, erin, pete,
                                                                          frozen):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    transport, police = invitation(meeting, luoyang["transport"]), invitation(meeting, luoyang["police"])
    services.reply_invitation(actor=erin, invitation=transport, attending=True,
                              attendees=[{"name": "赵立新", "post": "副局长"}])
    convener = meeting.invitations.get(is_convener=True)
    frozen(at(2026, 3, 10, 12))
    with pytest.raises(Forbidden):
        services.record_meeting(actor=erin, meeting=meeting, held_at=at(2026, 3, 10, 9, 30), place="x", chair="x",
                                summary="x" * 12, attendance={})
    with pytest.raises(DomainError) as bad:
        services.record_meeting(actor=bob, meeting=meeting, held_at=at(2026, 3, 11, 9, 30), place="", chair="",
                                summary="短", attendance={transport.pk: ["赵立新"]})
    assert bad.value.field_errors == {
        "held_at": ["召开时间不能晚于当前时间"], "place": ["请填写会议地点"], "chair": ["请填写主持人"],
        "summary": ["会议情况不少于10个字"], "attendance": ["请填写发起部门（市住建局）的出席人员"]}
    with pytest.raises(DomainError) as bad:
        services.record_meeting(actor=bob, meeting=meeting, held_at=at(2026, 3, 10, 9, 30), place="三楼",
                                chair="王建国", summary="会议研究了联合查处工作。",
                                attendance={convener.pk: ["王建国"]})
    assert bad.value.field_errors == {"attendance": ["除发起部门外，至少应有一个受邀单位出席"]}
    services.record_meeting(actor=bob, meeting=meeting, held_at=at(2026, 3, 10, 9, 30), place="市住建局三楼会议室",
                            chair="王建国", summary="会议研究了联合查处工作。",
                            attendance={convener.pk: ["王建国", "李红梅"], transport.pk: ["赵立新"]})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.chair == "王建国"
    police.refresh_from_db()
    assert police.present == [] and police.clock.state == Clock.State.CANCELLED  # never answered, did not come
    present, declined, absent = meeting.attendance()
    assert [i.department for i in present] == [luoyang["housing"], luoyang["transport"]]
    assert [i.department for i in absent] == [luoyang["police"]]
    with pytest.raises(Conflict, match="不能重复记录"):
        services.record_meeting(actor=bob, meeting=meeting, held_at=at(2026, 3, 10, 9, 30), place="三楼",
                                chair="王建国", summary="会议研究了联合查处工作。",
                                attendance={convener.pk: ["王建国"]})
    with pytest.raises(Conflict, match="不能再答复"):
        services.reply_invitation(actor=pete, invitation=police, attending=False, reason="时间冲突了")


def test_holding_the_regular_meeting_meets_the_period_and_starts_the_next(mechanism, luoyang, lena, drc, frozen):
    held_meeting(luoyang, mechanism, lena, frozen, convener=drc, kind="regular", invitees=[])
    first, second = mechanism.periods.order_by("starts_on")
    assert first.meeting is not None and first.clock.state == Clock.State.MET
    first.clock.refresh_from_db()
    assert first.clock.closed_at == at(2026, 3, 10, 9, 30)
    assert second.label == "2026年下半年" and second.clock.is_open
    assert second.clock.due_at == at(2027, 1, 1, 0, 0)   # the half-year ends on its own last day, 12-31 24:00
    # a second regular meeting in the same half-year does not touch the next period
    held_meeting(luoyang, mechanism, lena, frozen, convener=drc, kind="regular", invitees=[], title="第二次例会")
    assert mechanism.periods.count() == 2
    second.refresh_from_db()
    assert second.meeting is None and second.clock.is_open


def test_a_late_regular_meeting_closes_the_lapsed_period_late(mechanism, luoyang, lena, drc, frozen):
    frozen(at(2026, 7, 20, 9))
    meeting = services.schedule_meeting(actor=lena, mechanism=mechanism, convener=drc, data=meeting_input(
        luoyang, kind=Meeting.Kind.REGULAR, invitees=[], starts_at=at(2026, 7, 24, 9),
        reply_due_on=at(2026, 7, 22).date()))
    frozen(at(2026, 7, 24, 12))
    attendance = {i.pk: ["代表"] for i in meeting.invitations.all()}
    services.record_meeting(actor=lena, meeting=meeting, held_at=at(2026, 7, 24, 9), place="三楼", chair="王建国",
                            summary="会议研究了下半年协同监管工作。", attendance=attendance)
    first, second, third = mechanism.periods.order_by("starts_on")
    first.clock.refresh_from_db()
    second.clock.refresh_from_db()
    assert first.clock.state == Clock.State.BREACHED and first.clock.closed_at is not None  # held late
    assert second.clock.state == Clock.State.MET  # and it counts for the half-year it was held in
    assert third.label == "2027年上半年" and third.clock.is_open


def test_cancelling_stops_the_reply_clocks_and_tells_the_invitees(mechanism, luoyang, bob, erin):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    with pytest.raises(DomainError) as bad:
        services.cancel_meeting(actor=bob, meeting=meeting, reason="")
    assert "reason" in bad.value.field_errors
    services.cancel_meeting(actor=bob, meeting=meeting, reason="议题已通过书面会签解决")
    assert not Clock.objects.filter(rule_version__rule__key="consultation.meeting_reply", closed_at__isnull=True)
    assert Notification.objects.filter(recipient=erin, title__startswith="会议取消").exists()
    with pytest.raises(Conflict, match="已取消"):
        services.cancel_meeting(actor=bob, meeting=meeting, reason="议题已通过书面会签解决")


def test_meeting_page_is_scoped_and_the_reply_form_shows_errors(client, mechanism, luoyang, bob, erin, frozen):
    from casework.org.models import Membership
    from tests.conftest import make_user

    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang))
    water = make_user("walt", luoyang["water"], Membership.Role.HANDLER)
    client.force_login(water)
    assert client.get(meeting.get_absolute_url()).status_code == 404  # not invited
    client.force_login(erin)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "研究围标串标线索联合查处" in page and "答复期限" in page
    inv = invitation(meeting, luoyang["transport"])
    response = client.post(f"/consultations/meetings/{meeting.pk}/reply/", {
        "invitation": inv.pk, f"r{inv.pk}-attending": "1", f"r{inv.pk}-attendees": ""})
    assert response.status_code == 400 and "请填写参会人员（姓名、职务）" in response.content.decode()
    response = client.post(f"/consultations/meetings/{meeting.pk}/reply/", {
        "invitation": inv.pk, f"r{inv.pk}-attending": "1", f"r{inv.pk}-attendees": "赵立新 副局长\n孙海燕，科长"})
    assert response.status_code == 302
    inv.refresh_from_db()
    assert inv.attendees == [{"name": "赵立新", "post": "副局长"}, {"name": "孙海燕", "post": "科长"}]
    # acting for a unit one does not belong to: 403 page
    police = invitation(meeting, luoyang["police"])
    response = client.post(f"/consultations/meetings/{meeting.pk}/reply/", {
        "invitation": police.pk, f"r{police.pk}-attending": "0", f"r{police.pk}-decline_reason": "不去了吧"})
    assert response.status_code == 403


def test_the_lead_and_supervisors_see_every_meeting(client, mechanism, luoyang, bob, lena, dave):
    meeting = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang, invitees=[luoyang["transport"]]))
    for user in (lena, dave):
        client.force_login(user)
        assert client.get(meeting.get_absolute_url()).status_code == 200
    assert SET_UP  # the meeting was scheduled at set-up time
