"""A joint enforcement action in headless Chromium, from the draft plan to the published result: housing drafts,
market regulation asks for a change, housing revises, both participants confirm with their staff, findings are
recorded (one referred to the discipline organ in one step), the report goes up and the public sees one notice.
Then an assistance letter is sent and returned with reasons."""

import pytest

from casework.org.models import Membership
from jointaction.models import AssistanceRequest, JointAction
from referrals.models import Clue
from tests.browser.test_referral_flow import as_user, letter_png, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PLAN = {"purpose": "查处房建工程串通投标、弄虚作假", "targets": "今年完成招标的政府投资房建项目", "scope": "市本级",
        "content": "投标文件、企业登记档案、社保缴纳记录", "schedule": "12月1日至12月15日",
        "method": "书面检查与实地核查相结合", "steps": "调阅资料；现场核查；汇总处理"}


def test_joint_action_from_draft_plan_to_published_result(page, live_server, luoyang, bob, carol):  # noqa: F811
    make_user("mark", luoyang["market_regulation"], Membership.Role.HANDLER)
    make_user("pete", luoyang["police"], Membership.Role.HANDLER)
    housing, market, police = luoyang["housing"], luoyang["market_regulation"], luoyang["police"]

    # 1. Housing starts the action and drafts the plan.
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}/joint/actions/new/")
    page.fill("input[name=title]", "房建工程串通投标专项联合执法")
    page.check("input[name=trigger][value=overlapping_duties]")
    page.check(f"input[name=participants][value='{market.pk}']")
    page.check(f"input[name=participants][value='{police.pk}']")
    page.get_by_role("button", name="发起并起草方案").click()
    page.wait_for_url("**/joint/actions/*/")
    for name, value in PLAN.items():
        page.fill(f"#plan-form [name={name}]", value)
    page.fill(f"#plan-form [name=duty_{housing.code}]", "牵头组织，核查投标文件")
    page.fill(f"#plan-form [name=duty_{market.code}]", "核查企业登记和股权关系")
    page.fill("#plan-form [name=initiator_staff]", "张三 科长")
    page.fill("#plan-form [name=reply_by]", "2099-12-31")
    page.get_by_role("button", name="发送参与部门会签").click()
    assert "职责分工" in page.locator("#plan-form").inner_text()   # the police's duties are missing
    page.fill(f"#plan-form [name=duty_{police.code}]", "对涉嫌犯罪线索提前介入")
    page.get_by_role("button", name="发送参与部门会签").click()
    page.wait_for_url("**/joint/actions/*/")
    assert "方案会签中" in page.locator("#action-state").inner_text()
    action = JointAction.objects.get()
    page.screenshot(path=str(SHOTS / "joint-1-plan.png"), full_page=True)

    # 2. Market regulation asks for a change; housing revises; both confirm with their staff.
    as_user(page, live_server, "mark")
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    form = page.locator(f".reply-form[data-dept='{market.code}']")
    form.locator("input[name=decision][value=comment]").check()
    form.locator("textarea[name=comment]").fill("建议检查时间延长至12月20日，以便调取档案。")
    form.get_by_role("button", name="提交答复").click()
    page.wait_for_url("**/joint/actions/*/")
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.locator("details.editor summary").click()
    page.fill("#plan-form [name=schedule]", "12月1日至12月20日")
    page.fill("#plan-form [name=change_note]", "按市场监管局意见延长检查时间")
    page.get_by_role("button", name="发出修订后的方案").click()
    page.wait_for_url("**/joint/actions/*/")
    for user, dept, staff in (("mark", market, "王五 执法员"), ("pete", police, "赵六 民警")):
        as_user(page, live_server, user)
        page.goto(f"{live_server.url}{action.get_absolute_url()}")
        form = page.locator(f".reply-form[data-dept='{dept.code}']")
        form.locator("textarea[name=staff]").fill(staff)
        form.get_by_role("button", name="提交答复").click()
        page.wait_for_url("**/joint/actions/*/")
    assert "实施中" in page.locator("#action-state").inner_text()
    assert "赵六 民警" in page.locator("#participants").inner_text()
    page.screenshot(path=str(SHOTS / "joint-2-settled.png"), full_page=True)
    page.locator("#print-plan").click()
    page.wait_for_url("**/plan/print/")
    assert "已确定" in page.locator("#plan-print .doc-number").inner_text()
    assert "赵六 民警" in page.locator("#plan-staff").inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "joint-2a-plan-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.go_back()

    # 3. Findings: market regulation handles its own; housing refers one to the discipline organ in one step.
    as_user(page, live_server, "mark")
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.locator("#findings details.editor summary").click()
    page.fill("#finding-form [name=target]", "甲建设有限公司")
    page.fill("#finding-form [name=description]", "股东变更登记与投标文件载明不一致")
    page.fill("#finding-form [name=measures]", "责令限期改正，立案调查")
    page.get_by_role("button", name="记录", exact=True).click()
    page.wait_for_url("**/joint/actions/*/")
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.locator("#findings details.editor summary").click()
    page.fill("#finding-form [name=target]", "乙建筑工程有限公司")
    page.fill("#finding-form [name=description]", "招标人代表（公职人员）涉嫌收受投标人好处费")
    page.check("#finding-form input[name=handling][value=refer]")
    page.select_option("#finding-form select[name=receiver]", str(luoyang["discipline"].pk))
    page.select_option("#finding-form select[name=matter]", "official_misconduct")
    page.fill("#finding-form [name=legal_basis]", "《中华人民共和国监察法》第十一条")
    page.fill("#finding-form [name=materials]", "询问笔录\n银行转账记录")
    page.get_by_role("button", name="记录", exact=True).click()
    page.wait_for_url("**/joint/actions/*/")
    clue = Clue.objects.get()
    assert clue.reference in page.locator("#findings").inner_text()

    # 4. Conclude, report upward once, publish once: the initiator's leader (casework.rules.powers).
    as_user(page, live_server, "carol")
    page.goto(f"{live_server.url}{JointAction.objects.get().get_absolute_url()}")
    page.fill("#conclude-form [name=summary]", "共检查项目12个，发现问题2个，均已依法处理或移送。")
    page.get_by_role("button", name="记录行动结束").click()
    page.wait_for_url("**/joint/actions/*/")
    # the handler drafts the report upward (上行文); it waits for the leader's sign-off (签发) on her workbench
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.get_by_role("button", name="生成统一报告").click()
    page.wait_for_url("**/joint/actions/*/")
    assert "待签发" in page.locator("#report-draft").inner_text()
    as_user(page, live_server, "carol")
    page.goto(f"{live_server.url}/")
    page.locator("#to-sign a").first.click()
    page.wait_for_url("**/letters/drafts/*/")
    page.screenshot(path=str(SHOTS / "joint-2b-signoff.png"), full_page=True)
    page.get_by_role("button", name="签发", exact=True).click()
    page.wait_for_url("**/letters/*/")
    page.goto(f"{live_server.url}{action.get_absolute_url()}")  # the one public notice is the leader's act too
    report = letter_png(page, live_server, "情况报告", "joint-report", within="#letters")
    page.fill("#publish-form [name=public_text]",
              "2026年，市住建局会同市市场监管局、市公安局开展房建工程串通投标专项联合执法，检查项目12个，发现问题2个，均已依法处理。")
    page.get_by_role("button", name="统一公布").click()
    page.wait_for_url("**/joint/actions/*/")
    assert "已统一公布" in page.locator("#action-state").inner_text()
    page.screenshot(path=str(SHOTS / "joint-3-published.png"), full_page=True)
    assert report.exists()

    # 5. The public sees one notice, with its PDF.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/joint/public/")
    text = page.locator("main").inner_text()
    assert "房建工程串通投标专项联合执法" in text and "检查项目12个" in text
    letter_png(page, live_server, "公告", "joint-notice")
    page.screenshot(path=str(SHOTS / "joint-4-public.png"), full_page=True)


def test_assistance_letter_sent_and_returned_with_reasons(page, live_server, luoyang, bob):  # noqa: F811
    make_user("mark", luoyang["market_regulation"], Membership.Role.HANDLER)
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}/joint/assistance/new/")
    page.select_option("select[name=assistant]", str(luoyang["market_regulation"].pk))
    page.fill("input[name=case_name]", "某学校教学楼工程串通投标案")
    page.get_by_role("button", name="发出协助办理函").click()
    errors = page.locator(".field-error").all_inner_texts()
    assert any("案件基本情况" in e for e in errors) and any("材料" in e for e in errors)
    page.fill("textarea[name=case_summary]", "三家投标人的投标文件机器码一致，涉嫌串通投标，我局已立案调查。")
    page.fill("textarea[name=matters]", "调取甲公司、乙公司的企业登记档案及股东变更记录。")
    page.fill("textarea[name=reasons]", "核实投标人之间是否存在控股、管理关系。")
    page.fill("textarea[name=materials]", "立案审批表\n投标文件机器码比对报告")
    page.screenshot(path=str(SHOTS / "assist-1-form.png"), full_page=True)
    page.get_by_role("button", name="发出协助办理函").click()
    page.wait_for_url("**/joint/assistance/*/")
    letter_png(page, live_server, "协助办理函", "assist-letter", within="#letters")
    req = AssistanceRequest.objects.get()

    as_user(page, live_server, "mark")
    page.goto(f"{live_server.url}{req.get_absolute_url()}")
    page.fill("#return-form textarea[name=reasons]",
              "所请调取的是不动产登记信息，不属于市场监管部门职能，请向自然资源部门商请。")
    page.get_by_role("button", name="书面说明理由并退回").click()
    page.wait_for_url("**/joint/assistance/*/")
    assert "已退回" in page.locator("#assistance-state").inner_text()
    letter_png(page, live_server, "退回函", "assist-return", within="#letters")
    page.screenshot(path=str(SHOTS / "assist-2-returned.png"), full_page=True)
