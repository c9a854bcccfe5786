"""What the supervision office sees, in headless Chromium: the dashboard with its ECharts, a drill-down to the
items behind a figure, a 督办函 from there, the department's reply; the 通报 and quarterly-report drafts; and the
public portal. Screenshots land in var/screenshots/ (superv-*.png)."""

import shutil
from pathlib import Path

import pytest
from django.db import connections

from supervision.models import Circular, QuarterlyReport, SupervisionNotice
from tests.browser.test_workbench import CHROMIUM, SHOTS, login
from tests.supervision.conftest import q3  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} missing: run bin/setup --test (installs Debian chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        yield context.new_page()
        browser.close()
        connections.close_all()


def test_dashboard_drill_down_notice_reply_circular_and_report(page, live_server, q3, dave, bob, leo):  # noqa: F811
    from supervision.reports import open_due_reports

    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, "dave")
    page.get_by_role("link", name="监管统计").first.click()
    page.get_by_role("link", name="2026年第3季度").click()
    page.wait_for_selector("#chart-mechanisms[data-rendered='1'] svg")
    row = page.locator("#figures tr[data-department='LY-HOUSING'][data-mechanism='referral']")
    assert row.locator("[data-metric='received']").inner_text() == "2"
    assert row.locator("[data-metric='open_overdue']").inner_text() == "1"
    assert row.locator("[data-metric='on_time_rate']").inner_text() == "33.3%"
    assert page.locator("#chart-trend[data-rendered='1'] svg").count() == 1
    assert errors == []
    page.screenshot(path=str(SHOTS / "superv-dashboard.png"), full_page=True)

    row.locator("[data-metric='open_overdue']").click()
    assert "某安置房项目线索" in page.locator("#items").inner_text()
    page.screenshot(path=str(SHOTS / "superv-drilldown.png"), full_page=True)
    page.locator("#items").get_by_role("link", name="督办").click()
    assert "某安置房项目线索" in page.locator("#id_title").input_value()
    page.screenshot(path=str(SHOTS / "superv-notice-form.png"), full_page=True)
    page.get_by_role("button", name="签发督办函").click()
    page.wait_for_selector("#notice-state:has-text('待回复')")
    notice = SupervisionNotice.objects.get()
    assert notice.about_clock == q3["c4"]
    pdf = page.request.get(f"{live_server.url}/letters/{notice.letter.pk}.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    Path("/work/notes/shots").mkdir(parents=True, exist_ok=True)
    Path("/work/notes/shots/superv-notice-letter.pdf").write_bytes(pdf.body())
    page.screenshot(path=str(SHOTS / "superv-notice.png"), full_page=True)

    page.context.clear_cookies()
    login(page, live_server, "bob")
    page.goto(f"{live_server.url}/inbox/")
    assert "督办函" in page.locator("ul.inbox").inner_text()
    page.goto(f"{live_server.url}/supervision/notices/{notice.pk}/")
    page.fill("#id_reply", "该线索已于今日办结，超期原因系承办人调整，已建立台账防止再次超期。")
    page.get_by_role("button", name="回复督办").click()
    page.wait_for_selector("#notice-state:has-text('已回复')")
    page.screenshot(path=str(SHOTS / "superv-notice-replied.png"), full_page=True)

    page.context.clear_cookies()
    login(page, live_server, "dave")
    page.goto(f"{live_server.url}/supervision/circulars/")
    page.fill("input[name=from]", "2026-07-01")
    page.fill("input[name=to]", "2026-09-30")
    page.get_by_role("button", name="按期间数据起草通报").click()
    page.wait_for_selector("#circular-edit")
    body = page.locator("#id_body").input_value()
    assert "洛阳市住房和城乡建设局超期办结2件" in body
    assert Circular.objects.get().state == "draft"
    page.screenshot(path=str(SHOTS / "superv-circular-draft.png"), full_page=True)

    open_due_reports()
    report = QuarterlyReport.objects.get(quarter=3)
    page.goto(f"{live_server.url}/supervision/reports/{report.pk}/")
    page.get_by_role("button", name="按本季度数据起草").click()
    page.wait_for_selector("#report-edit")
    assert "2" in page.locator("#report-departments").inner_text()  # housing received 2 items
    draft = page.request.get(f"{live_server.url}/supervision/reports/{report.pk}/file/draft.pdf")
    assert draft.ok and draft.body().startswith(b"%PDF")
    Path("/work/notes/shots/superv-report-draft.pdf").write_bytes(draft.body())
    page.screenshot(path=str(SHOTS / "superv-report-draft.png"), full_page=True)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    assert page.locator("#section-penalties").count() == 1
    page.screenshot(path=str(SHOTS / "superv-public.png"), full_page=True)
