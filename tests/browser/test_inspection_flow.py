"""双随机一公开 in headless Chromium: the housing bureau makes a joint plan with transport and market regulation,
draws targets and inspectors, reads the recorded seed and inputs and verifies the draw (and sees another seed give
another result), records the end of the inspection (the publication clock starts), records the results, publishes
them; the public then sees the results, re-runs the draw record and opens the public notice."""

import datetime as dt
import json
import re
import subprocess

import pytest
from django.utils import timezone

from casework.clocks.services import clocks_for
from inspections.models import Plan
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.inspections.conftest import directory, item, mia, pool  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_plan_draw_verify_end_results_publish_public(page, live_server, luoyang, bob, carol, erin, mia,  # noqa: F811
                                                     pool, directory, item):  # noqa: F811
    today = timezone.localdate()
    as_user(page, live_server, "bob")
    page.get_by_role("link", name="双随机抽查").click()
    page.get_by_role("link", name="执法人员库").click()
    assert page.locator("#inspectors tbody tr").count() == 3  # each department sees its own staff
    page.screenshot(path=str(SHOTS / "inspection-0-pool.png"), full_page=True)
    page.get_by_role("link", name="检查对象名录库").click()
    assert page.locator("#projects tbody tr").count() == 32 and "无失信记录" in page.locator("#projects").inner_text()
    page.screenshot(path=str(SHOTS / "inspection-0-directory.png"), full_page=True)
    page.get_by_role("link", name="抽查计划").first.click()
    page.get_by_role("link", name="制定抽查计划").click()
    page.fill("input[name=title]", f"{today.year}年房建市政工程招标投标双随机联合抽查")
    page.check(f"input[name=participants][value='{luoyang['transport'].pk}']")
    page.check(f"input[name=participants][value='{luoyang['market_regulation'].pk}']")
    page.check(f"input[name=items][value='{item.pk}']")
    page.check(f"input[name=scope_departments][value='{luoyang['housing'].pk}']")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", (today + dt.timedelta(days=30)).isoformat())
    page.select_option("select[name=team_1_speciality]", "housing")
    page.fill("input[name=team_1_count]", "2")
    page.screenshot(path=str(SHOTS / "inspection-1-plan-form.png"), full_page=True)
    page.locator("input[name=team_1_count]").blur()  # a focused number input swallows the next click
    page.get_by_role("button", name="保存计划").click()
    page.wait_for_url(re.compile(r".*/inspections/plans/\d+/$"))
    assert "待抽取" in page.locator("#plan-status").inner_text()
    preview = page.locator("#draw-preview").inner_text()
    assert "将抽取" in preview and "可抽取的执法人员" in preview
    page.screenshot(path=str(SHOTS / "inspection-2-before-draw.png"), full_page=True)

    # Draw: targets and teams appear with the recorded seed.
    page.get_by_role("button", name="随机抽取").click()
    page.wait_for_selector("#targets")
    plan = Plan.objects.get()
    record = plan.current_draw
    assert page.locator("#seed").inner_text() == record.seed
    assert page.locator("#targets tbody tr").count() == 5
    # Each target gets the plan's team of two housing-speciality inspectors; the supervising department's own
    # staff may be among them (Hegang 三(三): a department inspects its own field).
    first_team = page.locator("#targets td.team-cell").first
    assert first_team.locator(".member:not(.replaced)").count() == 2
    assert first_team.inner_text().count("房屋建筑和市政工程") == 2
    page.screenshot(path=str(SHOTS / "inspection-3-drawn.png"), full_page=True)
    # The 检查通知书 for the first target, on paper: the tenderer, the project, the items, the inspectors serving.
    page.locator("#targets a.notice-link").first.click()
    page.wait_for_url("**/targets/*/notice/")
    notice = page.locator("#notice-print").inner_text()
    assert "检 查 通 知 书" in notice and f"{plan.reference}-1" in notice
    assert page.locator("#notice-team tbody tr").count() == 2
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "inspection-3b-notice.png"), full_page=True)
    page.emulate_media(media="screen")
    page.go_back()

    # The draw record: seed, inputs, result; verification passes; another seed gives another result.
    page.get_by_role("link", name="查看抽取记录（输入、结果）并核验").click()
    assert "核验通过" in page.locator("#verification").inner_text()
    assert page.locator("#record-seed").inner_text() == record.seed
    assert "LYGC-001" in page.locator("#inputs").inner_text()
    page.screenshot(path=str(SHOTS / "inspection-4-draw-record.png"), full_page=True)
    page.fill("#trial input[name=seed]", "另一个种子")
    page.locator("#trial").get_by_role("button", name="试算").click()
    assert "结果与记录不同" in page.locator("#trial-outcome").inner_text()
    page.screenshot(path=str(SHOTS / "inspection-5-other-seed.png"), full_page=True)

    # End the inspection: the 10-working-day publication clock starts. Ending and publishing are the leader's.
    as_user(page, live_server, "carol")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.locator("#end").get_by_role("button", name="检查结束").click()
    page.wait_for_selector("#clocks")
    assert "检查结束，待公开结果" in page.locator("#plan-status").inner_text()
    assert "10个工作日" in page.locator("#clocks").inner_text()

    # Results: a bad one first (no follow-up), then each target.
    rows = page.locator("#targets tbody tr")
    first = rows.nth(0)
    first.locator("summary").click()
    first.locator("select[name$=outcome]").select_option("rectify")
    first.locator("textarea[name$=findings]").fill("招标文件设置的业绩条件与项目规模不相适应")
    first.get_by_role("button", name="保存结果").click()
    assert "请写明后续处理" in page.content()
    page.screenshot(path=str(SHOTS / "inspection-6-result-error.png"), full_page=True)
    first = page.locator("#targets tbody tr").nth(0)
    first.locator("textarea[name$=follow_up]").fill("已责令招标人10日内整改并报送整改情况")
    first.get_by_role("button", name="保存结果").click()
    for i in range(1, 5):
        row = page.locator("#targets tbody tr").nth(i)
        row.locator("summary").click()
        row.locator("select[name$=outcome]").select_option("no_issue")
        row.get_by_role("button", name="保存结果").click()
    assert page.locator("#targets strong.outcome").count() == 5
    page.screenshot(path=str(SHOTS / "inspection-7-results.png"), full_page=True)

    page.get_by_role("button", name="公开抽查结果").click()
    page.wait_for_selector("#plan-status:has-text('结果已公开')")
    clock = clocks_for(plan).get()
    assert clock.state == "met"
    page.screenshot(path=str(SHOTS / "inspection-8-published.png"), full_page=True)

    # The public: no login.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="双随机抽查公开").click()
    assert item.title in page.locator("#public-items").inner_text()
    page.get_by_role("link", name=plan.title).click()
    results = page.locator("#public-results").inner_text()
    assert "责令整改" in results and "已责令招标人10日内整改" in results and results.count("未发现问题") == 4
    page.screenshot(path=str(SHOTS / "inspection-9-public.png"), full_page=True)
    page.get_by_role("link", name="第1次抽取").click()
    assert "核验通过" in page.locator("#verification").inner_text()
    page.screenshot(path=str(SHOTS / "inspection-10-public-record.png"), full_page=True)
    downloaded = page.request.get(f"{live_server.url}/inspections/public/plans/{plan.pk}/draws/1/record.json").json()
    page.goto(f"{live_server.url}/inspections/verify/")
    page.fill("textarea[name=record]", json.dumps(downloaded, ensure_ascii=False))
    page.get_by_role("button", name="重新运行并比对").click()
    assert "一致" in page.locator("#verify-outcome").inner_text()
    page.screenshot(path=str(SHOTS / "inspection-11-verify.png"), full_page=True)

    pdf = page.request.get(f"{live_server.url}/inspections/public/plans/{plan.pk}/notice.pdf").body()
    assert pdf.startswith(b"%PDF")
    target = SHOTS / "inspection-notice.pdf"
    target.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(target), str(SHOTS / "inspection-notice")], check=True)
