"""The consultation mechanism in headless Chromium, as its people would use it: the DRC sets up the mechanism and
sees when the next regular meeting is due; it convenes the regular meeting, housing answers with who attends; on
the day the DRC records who came, enters two decisions with owners and due dates and issues the minutes (a PDF we
render and look at); time runs past housing's due date, the escalation sweep runs, and the decision shows overdue
on the board, in housing's inbox and on its workbench. A second test circulates a draft rule for comments.
Screenshots and letter PNGs land in var/screenshots/."""

import datetime as dt
import subprocess

import pytest
import time_machine
from django.utils import timezone

from casework.clocks.escalation import sweep
from casework.clocks.timing import SHANGHAI
from casework.org.models import Membership
from consultations.models import Decision, Meeting, Solicitation
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pdf_pngs(browser_page, live_server, selector: str, name: str) -> list:
    href = browser_page.locator(selector).get_attribute("href")
    pdf = browser_page.request.get(f"{live_server.url}{href}").body()
    assert pdf.startswith(b"%PDF")
    target = SHOTS / f"{name}.pdf"
    target.write_bytes(pdf)
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(target), str(SHOTS / name)], check=True)
    return sorted(SHOTS.glob(f"{name}-*.png"))


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SHANGHAI)


def test_regular_meeting_minutes_decisions_and_an_overdue_decision(page, live_server, luoyang, bob, carol, erin):  # noqa: F811
    drc = next(d for d in luoyang["all"] if d.is_supervision_office)
    make_user("lena", drc, Membership.Role.HANDLER, first_name="李娜")
    make_user("zhang", drc, Membership.Role.LEADER, first_name="张建华")  # issues the minutes
    today = timezone.localdate()
    meeting_day = today + dt.timedelta(days=3)
    due = meeting_day + dt.timedelta(days=4)

    # 1. The DRC sets up the mechanism: every city department a member; the half-year's clock starts.
    as_user(page, live_server, "lena")
    page.goto(f"{live_server.url}/consultations/")
    page.get_by_role("link", name="建立会商机制").click()
    page.screenshot(path=str(SHOTS / "consultation-1-establish.png"), full_page=True)
    page.get_by_role("button", name="建立").click()
    page.wait_for_url("**/consultations/*/")
    next_regular = page.locator("#next-regular").inner_text()
    assert "下次例会应于" in next_regular and "半年例会" in next_regular
    page.screenshot(path=str(SHOTS / "consultation-2-mechanism.png"), full_page=True)

    # 2. It convenes the regular meeting: every member unit is invited, with a reply date.
    page.get_by_role("link", name="召集例会").click()
    assert page.locator("select[name=kind]").input_value() == "regular"
    page.fill("input[name=title]", "2026年下半年协同监管会商会议")
    page.fill("textarea[name=agenda]", "通报投诉处理和线索移送情况\n研究围标串标线索联合查处工作")
    page.fill("input[name=place]", "市发改委三楼会议室")
    page.fill("input[name=starts_at]", f"{meeting_day.isoformat()}T09:30")
    page.fill("input[name=reply_due_on]", (today + dt.timedelta(days=2)).isoformat())
    page.screenshot(path=str(SHOTS / "consultation-3-notice.png"), full_page=True)
    page.get_by_role("button", name="发出会议通知").click()
    page.wait_for_url("**/consultations/meetings/*/")
    meeting = Meeting.objects.get()
    assert meeting.invitations.count() == len(luoyang["all"])
    assert "已发通知" in page.locator("#meeting-status").inner_text()

    # 3. Housing answers who attends.
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    page.locator("form.reply-form textarea[name$=attendees]").fill("王建国 副局长\n李红梅 科长")
    page.locator("form.reply-form").get_by_role("button", name="答复").click()
    page.wait_for_url("**/consultations/meetings/*/")
    housing_row = page.locator(f"#invitation-{meeting.invitations.get(department=luoyang['housing']).pk}")
    assert housing_row.get_attribute("data-reply") == "attending" and "王建国" in housing_row.inner_text()

    # 4. On the day: the DRC records who came, two decisions with owners and due dates, and issues the minutes.
    with time_machine.travel(local(meeting_day, 11), tick=True):
        as_user(page, live_server, "lena")
        page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
        convener = meeting.invitations.get(is_convener=True)
        page.fill(f"textarea[name=present_{convener.pk}]", "张建华\n李娜")
        page.fill("#record input[name=chair]", "张建华")
        page.fill("#record textarea[name=summary]",
                  "会议听取了各成员单位协同监管工作情况汇报，研究了围标串标线索的联合查处工作。"
                  "\n\n会议要求各成员单位加强信息共享，按期落实议定事项。")
        page.get_by_role("button", name="记录召开情况").click()
        page.wait_for_url("**/consultations/meetings/*/")
        assert "已召开" in page.locator("#meeting-status").inner_text()
        for owner, text, when in (
                (luoyang["housing"], "住建局牵头核查中学教学楼工程投标人关联关系并报送结果", due),
                (luoyang["transport"], "交通运输局清理国道养护工程评标回退记录", due + dt.timedelta(days=30))):
            form = page.locator("#decision-form")
            form.locator("textarea[name=text]").fill(text)
            form.locator("select[name=owner]").select_option(str(owner.pk))
            form.locator("input[name=due_on]").fill(when.isoformat())
            form.get_by_role("button", name="登记议定事项").click()
            page.wait_for_url("**/consultations/meetings/*/")
        assert page.locator("#decisions tbody tr").count() == 2
        as_user(page, live_server, "zhang")  # the minutes are the leader's act (casework.rules.powers)
        page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
        page.get_by_role("button", name="印发会议纪要").click()
        page.wait_for_url("**/consultations/meetings/*/")
        assert "纪要已印发" in page.locator("#meeting-status").inner_text()
        page.screenshot(path=str(SHOTS / "consultation-4-meeting-held.png"), full_page=True)
        pngs = pdf_pngs(page, live_server, "#minutes-link", "consultation-minutes")
        assert pngs
        # the regular meeting met the half-year's clock: the next one is due next half-year
        page.goto(f"{live_server.url}{meeting.mechanism.get_absolute_url()}")
        assert "2027年上半年例会" in page.locator("#next-regular").inner_text()

    # 5. Time runs past housing's due date; the sweep marks it overdue and tells housing.
    decision = Decision.objects.get(owner=luoyang["housing"])
    # A due date set on a rest day rolls to the next working day: run the sweep past the clock's own deadline.
    past = timezone.localtime(decision.clock.due_at) + dt.timedelta(minutes=5)
    with time_machine.travel(past, tick=True):
        sweep()
        decision.clock.refresh_from_db()
        assert decision.clock.state == "breached"
        as_user(page, live_server, "lena")
        page.goto(f"{live_server.url}/consultations/{meeting.mechanism_id}/decisions/")
        row = page.locator(f"#board-{decision.pk}")
        assert row.get_attribute("data-state") == "overdue" and "已超期" in row.inner_text()
        other = Decision.objects.get(owner=luoyang["transport"])
        assert page.locator(f"#board-{other.pk}").get_attribute("data-state") == "open"
        page.screenshot(path=str(SHOTS / "consultation-5-board-overdue.png"), full_page=True)

        as_user(page, live_server, "bob")
        page.goto(f"{live_server.url}/inbox/")
        inbox = page.locator("ul.inbox").inner_text()
        assert "超期：落实议定事项：住建局牵头核查中学教学楼工程投标人关联关系" in inbox
        page.screenshot(path=str(SHOTS / "consultation-6-inbox.png"), full_page=True)
        page.goto(f"{live_server.url}/")
        overdue = page.locator("#workbench tbody tr[data-urgency=overdue]")
        assert "落实议定事项" in overdue.first.inner_text()
        page.screenshot(path=str(SHOTS / "consultation-7-workbench.png"), full_page=True)

        # housing reports progress and the result on the decision page; the board shows it done late
        page.goto(f"{live_server.url}{decision.get_absolute_url()}")
        page.fill("#progress-form textarea[name=note]", "已调取投标文件，正在比对投标人关联关系")
        page.get_by_role("button", name="报告进展").click()
        page.fill("#complete-form textarea[name=result]", "核查完毕：两家投标人存在关联关系，已立案调查")
        page.get_by_role("button", name="报告落实结果").click()
        page.wait_for_url("**/consultations/decisions/*/")
        assert "逾期落实" in page.locator("#decision-state").inner_text()
        page.screenshot(path=str(SHOTS / "consultation-8-decision.png"), full_page=True)


def test_a_draft_rule_is_circulated_for_comments(page, live_server, luoyang, alice, bob):  # noqa: F811
    from consultations import services

    drc = next(d for d in luoyang["all"] if d.is_supervision_office)
    lena = make_user("lena", drc, Membership.Role.HANDLER, first_name="李娜")
    services.establish_mechanism(actor=lena, lead=drc, name="洛阳市公共资源交易协同监管会商机制", basis="",
                                 established_on=timezone.localdate(), members=[d for d in luoyang["all"] if d != drc])
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}/consultations/")
    page.locator(".subnav").get_by_role("link", name="发起征求意见").click()
    page.fill("input[name=title]", "房屋建筑和市政基础设施工程招标投标监督管理实施细则")
    page.fill("textarea[name=draft_text]",
              "第一条 为规范房屋建筑和市政基础设施工程招标投标活动，根据有关法律法规，制定本细则。\n"
              "第二条 招标人应当在招标公告中载明招标投标行政监督部门及投诉电话。\n"
              "第三条 行政监督部门应当在收到投诉后3个工作日内决定是否受理。")
    page.fill("input[name=deadline]", (timezone.localdate() + dt.timedelta(days=10)).isoformat())
    page.screenshot(path=str(SHOTS / "consultation-9-solicit.png"), full_page=True)
    page.get_by_role("button", name="发出征求意见函").click()
    page.wait_for_url("**/consultations/solicitations/*/")
    solicitation = Solicitation.objects.get()
    assert solicitation.replies.count() == len(luoyang["all"]) - 1
    pngs = pdf_pngs(page, live_server, "#solicit-letter", "consultation-solicit")
    assert len(pngs) >= 2  # the letter, then the draft as its attachment

    as_user(page, live_server, "alice")
    page.goto(f"{live_server.url}{solicitation.get_absolute_url()}")
    page.locator("form.comment-form input[name$=no_comments]").check()
    page.locator("form.comment-form").get_by_role("button", name="反馈").click()
    page.wait_for_url("**/consultations/solicitations/*/")
    centre = solicitation.replies.get(department=luoyang["trading_centre"])
    row = page.locator(f"#reply-{centre.pk}")
    assert row.get_attribute("data-status") == "replied" and "无意见" in row.inner_text()
    page.screenshot(path=str(SHOTS / "consultation-10-replies.png"), full_page=True)
