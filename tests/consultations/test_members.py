"""The mechanism and its member units: set-up, contacts and the 3-working-day change report, applications,
the regular-meeting period clock, the member list (page, CSV, print, API) and who may see it."""

import csv
import io

import pytest
from django.core.exceptions import ObjectDoesNotExist

from casework.clocks import escalation
from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import timeline, verify_chain
from casework.notifications.models import Notification
from casework.org.models import Department, Membership
from casework.org.services import create_api_client, load_org_preset
from consultations import services
from consultations.models import Application, ContactChange, Mechanism, Member
from tests.conftest import at, make_user

from .conftest import SET_UP


def contact(name="张建华", post="副局长", phone="0379-63901234"):
    return services.Contact(name, post, phone)


def member_of(mechanism, dept) -> Member:
    return mechanism.members.get(department=dept)


# --- set-up ---------------------------------------------------------------------------------------------
def test_setting_up_lists_members_and_starts_the_first_period_clock(bob, mechanism, luoyang, drc):
    assert mechanism.lead == drc
    assert mechanism.members.count() == len(luoyang["all"])
    assert mechanism.members.get(is_lead=True).department == drc
    period = mechanism.periods.get()
    # Luoyang 一: half-yearly. Set up on 2 March 2026: the first half-year runs from 1 January; its clock
    # ends on the period's own last day, Tuesday 30 June 2026, 24:00.
    assert period.starts_on.isoformat() == "2026-01-01" and period.months == 6 and period.label == "2026年上半年"
    assert period.clock.department == drc and period.clock.state == Clock.State.RUNNING
    assert period.clock.due_at == at(2026, 7, 1, 0, 0)
    assert period.clock.rule_version.rule.key == "consultation.regular_meeting"
    # every member unit is told to report its responsible leader and liaison
    assert Notification.objects.filter(recipient=bob, kind="consultation_member").exists()


def test_set_up_only_by_the_supervision_office_and_only_once(luoyang, drc, lena, bob, frozen):
    frozen(SET_UP)
    with pytest.raises(Forbidden, match="只有洛阳市发展和改革委员会的工作人员"):
        services.establish_mechanism(actor=bob, lead=drc, name="机制", basis="", established_on=SET_UP.date(),
                                     members=[luoyang["housing"]])
    with pytest.raises(Forbidden, match="不是综合监管部门"):
        services.establish_mechanism(actor=bob, lead=luoyang["housing"], name="机制", basis="",
                                     established_on=SET_UP.date(), members=[luoyang["transport"]])
    other = load_org_preset(preset="pingdingshan")[0]
    with pytest.raises(DomainError) as bad:
        services.establish_mechanism(actor=lena, lead=drc, name=" ", basis="", established_on=at(2026, 3, 3).date(),
                                     members=[other])
    assert set(bad.value.field_errors) == {"name", "established_on", "members"}
    assert "须为洛阳市的在用单位" in bad.value.field_errors["members"][0]
    assert bad.value.field_errors["established_on"] == ["建立日期不能晚于今天"]
    services.establish_mechanism(actor=lena, lead=drc, name="机制", basis="", established_on=SET_UP.date(),
                                 members=[luoyang["housing"]])
    with pytest.raises(Conflict, match="已建立会商机制"):
        services.establish_mechanism(actor=lena, lead=drc, name="机制", basis="", established_on=SET_UP.date(),
                                     members=[luoyang["housing"]])
    assert Mechanism.objects.count() == 1


# --- contacts ---------------------------------------------------------------------------------------------
def test_first_designation_has_no_clock_and_a_change_is_met_within_three_working_days(mechanism, luoyang, bob,
                                                                                    drc, lena, frozen):
    member = member_of(mechanism, luoyang["housing"])
    assert services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("王芳", "科长")) is None
    member.refresh_from_db()
    assert (member.liaison_name, member.liaison_post, member.liaison_phone) == ("王芳", "科长", "0379-63901234")
    assert not ContactChange.objects.exists()

    # The liaison changes on Monday 16 March; reported on Thursday 19 March (3 working days: 17, 18, 19).
    frozen(at(2026, 3, 19, 16))
    change = services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("赵敏", "科员"),
                                      changed_on=at(2026, 3, 16).date())
    assert change.status == ContactChange.Status.REPORTED and change.old_name == "王芳" and change.name == "赵敏"
    assert change.clock.state == Clock.State.MET and change.clock.due_at == at(2026, 3, 20, 0, 0)
    assert change.clock.rule_version.rule.key == "consultation.member_change_report"
    assert change.clock.department == luoyang["housing"] and change.clock.counterpart == drc
    member.refresh_from_db()
    assert member.liaison_name == "赵敏"
    assert Notification.objects.filter(recipient=lena, kind="consultation_contact").exists()
    assert timeline(member).filter(action="consultation.contacts_reported").count() == 2


def test_a_change_reported_late_is_recorded_late(mechanism, luoyang, bob, frozen):
    member = member_of(mechanism, luoyang["housing"])
    services.report_contacts(actor=bob, member=member, role="leader", contact=contact())
    frozen(at(2026, 3, 23, 10))  # changed Monday 16 March, due Thursday 19 March
    change = services.report_contacts(actor=bob, member=member, role="leader", contact=contact("陈刚"),
                                      changed_on=at(2026, 3, 16).date())
    assert change.clock.state == Clock.State.BREACHED and change.clock.closed_at is not None
    assert timeline(member).filter(action="consultation.contacts_reported").last().after["late"] is True


def test_contact_input_errors_name_the_field(mechanism, luoyang, bob, erin):
    member = member_of(mechanism, luoyang["housing"])
    with pytest.raises(DomainError) as bad:
        services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("", "科长", "打电话"))
    assert bad.value.field_errors == {"name": ["请填写联络员姓名"],
                                      "phone": ["联络员电话格式不正确（如 0379-63901234 或 13800000000）"]}
    with pytest.raises(DomainError) as bad:
        services.report_contacts(actor=bob, member=member, role="boss", contact=contact())
    assert "role" in bad.value.field_errors
    services.report_contacts(actor=bob, member=member, role="liaison", contact=contact())
    with pytest.raises(DomainError) as bad:  # a change needs its date, not in the future
        services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("赵敏"))
    assert bad.value.field_errors == {"changed_on": ["请填写人员调整确定日期（如 2026-12-01）"]}
    with pytest.raises(DomainError) as bad:
        services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("赵敏"),
                                 changed_on=at(2026, 3, 9).date())
    assert bad.value.field_errors == {"changed_on": ["人员调整确定日期不能晚于今天"]}
    with pytest.raises(Conflict, match="与现有信息相同"):  # a double submission
        services.report_contacts(actor=bob, member=member, role="liaison", contact=contact(),
                                 changed_on=SET_UP.date())
    with pytest.raises(Forbidden, match="只有洛阳市住房和城乡建设局的工作人员"):
        services.report_contacts(actor=erin, member=member, role="leader", contact=contact())


def test_a_change_the_lead_noted_runs_escalates_and_closes_when_reported(mechanism, luoyang, lena, bob, carol,
                                                                        dave, frozen):
    member = member_of(mechanism, luoyang["housing"])
    services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("王芳", "科长"))
    with pytest.raises(Forbidden):
        services.note_contact_change(actor=bob, member=member, role="liaison", changed_on=SET_UP.date(),
                                     note="联络员调动")
    with pytest.raises(DomainError) as bad:
        services.note_contact_change(actor=lena, member=member, role="liaison", changed_on=SET_UP.date(), note="")
    assert bad.value.field_errors == {"note": ["请填写获悉变动的情况"]}
    change = services.note_contact_change(actor=lena, member=member, role="liaison", changed_on=SET_UP.date(),
                                          note="王芳已调任他职")
    assert change.status == ContactChange.Status.PENDING and change.clock.due_at == at(2026, 3, 6, 0, 0)
    assert Notification.objects.filter(recipient=bob, kind="consultation_contact").exists()
    with pytest.raises(Conflict, match="正等待该单位报送"):
        services.note_contact_change(actor=lena, member=member, role="liaison", changed_on=SET_UP.date(),
                                     note="王芳已调任他职")

    frozen(at(2026, 3, 6, 0, 1))
    escalation.sweep()
    change.clock.refresh_from_db()
    assert change.clock.state == Clock.State.BREACHED
    assert set(Notification.objects.filter(kind="breach").values_list("recipient__username", flat=True)) == {
        "bob", "carol"}

    frozen(at(2026, 3, 9, 10))
    reported = services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("赵敏", "科员"))
    assert reported.pk == change.pk and reported.status == ContactChange.Status.REPORTED
    assert reported.changed_on == SET_UP.date()  # the date the lead noted
    reported.clock.refresh_from_db()
    assert reported.clock.closed_at is not None and reported.clock.state == Clock.State.BREACHED
    assert not ContactChange.objects.filter(status=ContactChange.Status.PENDING).exists()
    assert verify_chain().ok


# --- applications ----------------------------------------------------------------------------------------
@pytest.fixture
def newcomer(luoyang, drc):
    """An industry authority not yet a member (Hegang 一(二): 单独提出申请纳入)."""
    from casework.org.services import ensure_department

    dept = ensure_department(code="LY-AGRI", name="洛阳市农业农村局", short_name="市农业农村局",
                             type=Department.Type.AGRICULTURE, jurisdiction=drc.jurisdiction)
    return make_user("nina", dept, Membership.Role.HANDLER)


def test_applying_to_join_and_the_lead_deciding(mechanism, newcomer, lena, bob):
    dept = newcomer.memberships.get().department
    with pytest.raises(DomainError) as bad:
        services.apply_to_join(actor=newcomer, mechanism=mechanism, department=dept, reason="想加入",
                               leader=contact(), liaison=contact(phone="12"))
    assert bad.value.field_errors == {"reason": ["申请理由不少于10个字"],
                                      "liaison_phone": ["联络员电话格式不正确（如 0379-63901234 或 13800000000）"]}
    application = services.apply_to_join(
        actor=newcomer, mechanism=mechanism, department=dept,
        reason="本局负责农业农村基础设施项目招标投标监督，申请纳入协同监管机制。",
        leader=contact("周强", "副局长"), liaison=contact("吴丽", "科长", "13800001111"))
    with pytest.raises(Conflict, match="正在等待洛阳市发展和改革委员会审核"):
        services.apply_to_join(actor=newcomer, mechanism=mechanism, department=dept, reason="x" * 12,
                               leader=contact(), liaison=contact())
    with pytest.raises(Conflict, match="已是"):
        services.apply_to_join(actor=bob, mechanism=mechanism, department=bob.memberships.get().department,
                               reason="x" * 12, leader=contact(), liaison=contact())
    with pytest.raises(Forbidden):
        services.decide_application(actor=bob, application=application, approve=True)
    with pytest.raises(DomainError) as bad:
        services.decide_application(actor=lena, application=application, approve=False, reasons="不")
    assert bad.value.field_errors == {"reasons": ["不同意加入须书面说明理由（不少于5个字）"]}
    services.decide_application(actor=lena, application=application, approve=True)
    member = mechanism.members.get(department=dept)
    assert member.joined_via == Member.Via.APPLICATION and member.liaison_phone == "13800001111"
    with pytest.raises(Conflict, match="已审核"):
        services.decide_application(actor=lena, application=application, approve=True)
    assert Notification.objects.filter(recipient=newcomer, kind="consultation_application").exists()


def test_a_declined_application_keeps_its_reasons_and_may_be_made_again(mechanism, newcomer, lena):
    dept = newcomer.memberships.get().department
    first = services.apply_to_join(actor=newcomer, mechanism=mechanism, department=dept, reason="x" * 12,
                                   leader=contact(), liaison=contact())
    services.decide_application(actor=lena, application=first, approve=False, reasons="请先明确本单位监管职责范围")
    first.refresh_from_db()
    assert first.status == Application.Status.DECLINED and first.decision_reasons == "请先明确本单位监管职责范围"
    with pytest.raises(ObjectDoesNotExist):
        mechanism.members.get(department=dept)
    again = services.apply_to_join(actor=newcomer, mechanism=mechanism, department=dept, reason="y" * 12,
                                   leader=contact(), liaison=contact())
    assert again.status == Application.Status.PENDING


# --- regular-meeting periods -------------------------------------------------------------------------------
def test_the_period_clock_escalates_when_no_regular_meeting_is_held(mechanism, lena, dave, frozen):
    period = mechanism.periods.get()
    frozen(at(2026, 7, 2, 0, 1))
    escalation.sweep()
    period.clock.refresh_from_db()
    assert period.clock.state == Clock.State.BREACHED
    assert Notification.objects.filter(recipient=lena, kind="breach").exists()
    # beat opens the next half-year's clock; the lapsed one stays open and keeps escalating
    assert services.roll_regular_periods() == 1
    assert services.roll_regular_periods() == 0
    second = mechanism.periods.order_by("starts_on").last()
    assert second.label == "2026年下半年" and second.clock.is_open
    frozen(at(2026, 7, 8, 0, 1))  # 3 working days after 1 July: the supervision office is told
    escalation.sweep()
    assert Notification.objects.filter(recipient=dave, kind="supervision").exists()


# --- the list: page, CSV, print, API, scoping --------------------------------------------------------------
def test_member_list_page_csv_print_and_api(client, mechanism, luoyang, bob, erin):
    member = member_of(mechanism, luoyang["housing"])
    services.report_contacts(actor=bob, member=member, role="leader", contact=contact("张建华", "副局长"))
    services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("王芳", "科长", "13912345678"))
    client.force_login(erin)
    page = client.get(f"/consultations/{mechanism.pk}/members/").content.decode()
    for text in ("洛阳市住房和城乡建设局", "张建华", "13912345678", "导出 CSV", "3个工作日"):
        assert text in page, text
    response = client.get(f"/consultations/{mechanism.pk}/members.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["单位", "单位类型", "牵头部门"]
    housing = next(r for r in rows if r[0] == "洛阳市住房和城乡建设局")
    assert housing[3:9] == ["张建华", "副局长", "0379-63901234", "王芳", "科长", "13912345678"]
    assert len(rows) == 1 + mechanism.members.count()
    printable = client.get(f"/consultations/{mechanism.pk}/members/print/").content.decode()
    assert "成员单位及联系人名单" in printable and "王芳" in printable
    assert "data-print" in printable and "portal/portal.js" in printable  # the print button, without inline script

    _, token = create_api_client(name="oa-system", department=luoyang["transport"])
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api.get(f"/api/v1/consultations/{mechanism.pk}/members/").json()
    row = next(m for m in body if m["department"] == "LY-HOUSING")
    assert row["liaison"] == {"name": "王芳", "post": "科长", "phone": "13912345678"}
    assert api.get("/api/v1/consultations/").json()[0]["next_regular_due_at"].startswith("2026-07-01T00:00:00")


def test_other_jurisdictions_get_a_404(client, mechanism):
    other = load_org_preset(preset="pingdingshan")
    outsider = make_user("olaf", other[0], Membership.Role.HANDLER)
    client.force_login(outsider)
    assert client.get(f"/consultations/{mechanism.pk}/").status_code == 404
    assert client.get(f"/consultations/{mechanism.pk}/members.csv").status_code == 404
    assert client.get("/consultations/").status_code == 200


def test_contacts_form_shows_the_service_error_at_the_field(client, mechanism, luoyang, bob):
    member = member_of(mechanism, luoyang["housing"])
    client.force_login(bob)
    response = client.post(f"/consultations/{mechanism.pk}/members/{member.pk}/contacts/", {
        f"m{member.pk}-role": "liaison", f"m{member.pk}-name": "王芳", f"m{member.pk}-post": "科长",
        f"m{member.pk}-phone": "电话"})
    assert response.status_code == 400
    assert "联络员电话格式不正确" in response.content.decode()
    response = client.post(f"/consultations/{mechanism.pk}/members/{member.pk}/contacts/", {
        f"m{member.pk}-role": "liaison", f"m{member.pk}-name": "王芳", f"m{member.pk}-post": "科长",
        f"m{member.pk}-phone": "0379-63901234"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.liaison_name == "王芳"


def test_setting_up_through_the_pages(client, luoyang, drc, lena, bob, frozen):
    frozen(SET_UP)
    client.force_login(bob)
    assert "/consultations/new/" not in client.get("/consultations/").content.decode()
    assert client.get("/consultations/new/").status_code == 403
    client.force_login(lena)
    assert "/consultations/new/" in client.get("/consultations/").content.decode()
    form = client.get("/consultations/new/").content.decode()
    assert 'value="2026-03-02"' in form and "洛阳市公共资源交易协同监管会商机制" in form
    response = client.post("/consultations/new/", {"name": "洛阳市会商机制", "established_on": "2026-03-09",
                                                   "members": [luoyang["housing"].pk]})
    assert response.status_code == 400 and "建立日期不能晚于今天" in response.content.decode()
    response = client.post("/consultations/new/", {"name": "洛阳市会商机制", "established_on": "2026-03-02",
                                                   "members": [luoyang["housing"].pk, luoyang["police"].pk]})
    mechanism = Mechanism.objects.get()
    assert response.status_code == 302 and response["Location"] == mechanism.get_absolute_url()
    assert client.get("/consultations/")["Location"] == mechanism.get_absolute_url()
    page = client.get(mechanism.get_absolute_url()).content.decode()
    assert "下次例会应于" in page and "2026-06-30 24:00" in page and "2026年上半年例会" in page


def test_applying_and_deciding_through_the_pages(client, mechanism, newcomer, lena):
    dept = newcomer.memberships.get().department
    client.force_login(newcomer)
    assert "申请加入" in client.get(mechanism.get_absolute_url()).content.decode()
    fields = {"department": dept.pk, "reason": "太短", "leader_name": "周强", "leader_post": "副局长",
              "leader_phone": "0379-63900001", "liaison_name": "吴丽", "liaison_post": "科长",
              "liaison_phone": "13800001111"}
    response = client.post(f"/consultations/{mechanism.pk}/apply/", fields)
    assert response.status_code == 400 and "申请理由不少于10个字" in response.content.decode()
    response = client.post(f"/consultations/{mechanism.pk}/apply/",
                           {**fields, "reason": "本局负责农业农村基础设施项目招标投标监督，申请加入。"})
    assert response.status_code == 302
    application = Application.objects.get()
    client.force_login(lena)
    url = f"/consultations/{mechanism.pk}/applications/{application.pk}"
    response = client.post(f"{url}/decline/", {f"a{application.pk}-reasons": ""})
    assert response.status_code == 400 and "不同意加入须书面说明理由" in response.content.decode()
    assert client.post(f"{url}/approve/").status_code == 302
    assert mechanism.members.filter(department=dept, joined_via=Member.Via.APPLICATION).exists()
    assert client.post(f"{url}/approve/").status_code == 409  # a second click


def test_a_noted_change_reported_late_without_a_sweep_is_late(mechanism, luoyang, lena, bob, frozen):
    member = member_of(mechanism, luoyang["housing"])
    services.note_contact_change(actor=lena, member=member, role="leader", changed_on=SET_UP.date(),
                                 note="分管领导调整")
    frozen(at(2026, 3, 10, 10))  # due 5 March; the sweep never ran
    change = services.report_contacts(actor=bob, member=member, role="leader", contact=contact("陈刚"))
    assert change.clock.state == Clock.State.BREACHED
    assert timeline(member).filter(action="consultation.contacts_reported").last().after["late"] is True


def test_correcting_the_same_persons_phone_is_no_change_of_person(mechanism, luoyang, bob):
    member = member_of(mechanism, luoyang["housing"])
    services.report_contacts(actor=bob, member=member, role="liaison", contact=contact("王芳", "科长"))
    fixed = services.report_contacts(actor=bob, member=member, role="liaison",
                                     contact=contact("王芳", "科长", "13800000000"))
    assert fixed is None and not ContactChange.objects.exists()  # no change date asked, no clock
    member.refresh_from_db()
    assert member.liaison_phone == "13800000000"
    event = timeline(member).get(action="consultation.contacts_corrected")
    assert event.before["phone"] == "0379-63901234" and event.after["phone"] == "13800000000"
