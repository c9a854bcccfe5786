"""What a person sees, in headless Chromium: log in, read the workbench by urgency, open a
clock's explanation, read the overdue notice, return an item with reasons; the supervisor's
overview. Screenshots land in var/screenshots/."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from casework.calendar.services import get_calendar
from casework.clocks.escalation import sweep
from casework.clocks.timing import SHANGHAI
from casework.handoffs.services import send_handoff

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def working_days_ago(n: int) -> dt.datetime:
    cal, day = get_calendar(), timezone.localdate()
    for _ in range(n):
        day -= dt.timedelta(days=1)
        while not cal.is_workday(day):
            day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9, 30), tzinfo=SHANGHAI)


@pytest.fixture
def page(monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} missing: run bin/setup --test (installs Debian chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()
        # ORM calls made while Playwright's loop ran used their own connection: close it here.
        connections.close_all()


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_workbench_explain_inbox_return_and_supervision(page, live_server, luoyang, alice, bob, carol, dave):
    centre, housing = luoyang["trading_centre"], luoyang["housing"]
    overdue = send_handoff(actor=alice, kind="clue_referral", title="某中学教学楼工程：标书特征码一致",
                           sender=centre, receiver=housing, rule_key="referral.return", sent_at=working_days_ago(6))
    fresh = send_handoff(actor=alice, kind="clue_referral", title="某保障房项目：投标人关联关系预警",
                         sender=centre, receiver=housing, rule_key="referral.return", sent_at=timezone.now())
    sweep()

    login(page, live_server, "bob")
    rows = page.locator("#workbench tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-urgency") == "overdue"      # most urgent first
    assert overdue.title in rows.nth(0).inner_text() and "已超期" in rows.nth(0).inner_text()
    assert rows.nth(1).get_attribute("data-urgency") in ("ok", "due-soon")
    assert "待签收" in page.content()
    page.screenshot(path=str(SHOTS / "workbench.png"), full_page=True)

    rows.nth(0).get_by_text("为何是这一天").click()
    why = page.locator("#why")
    assert "起算当日" in why.inner_text() and "洛阳 三(六)" in why.inner_text()
    assert why.locator("tr.counted").count() == 3
    assert "开始计时" in page.locator("ol.timeline").inner_text()
    page.screenshot(path=str(SHOTS / "clock-explain.png"), full_page=True)

    page.get_by_role("link", name="消息").click()
    assert "超期" in page.locator("ul.inbox").inner_text()
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)

    page.goto(f"{live_server.url}/handoffs/{fresh.pk}/")
    page.fill("textarea[name=reasons]", "太短")
    page.get_by_role("button", name="书面说明理由并退回").click()
    # the browser itself refuses (minlength); the server's check is tested in test_access
    assert page.eval_on_selector("textarea[name=reasons]", "el => el.validity.tooShort") is True
    assert "待签收" in page.locator("h1").inner_text()
    page.fill("textarea[name=reasons]", "该项目为交通工程，不属于住建部门职责，建议移送交通运输局处理。")
    page.get_by_role("button", name="书面说明理由并退回").click()
    assert "已退回" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "handoff-returned.png"), full_page=True)

    page.context.clear_cookies()
    login(page, live_server, "dave")
    page.get_by_role("link", name="督办总览").click()
    assert overdue.receiver.name in page.locator("#overdue").inner_text()
    page.screenshot(path=str(SHOTS / "supervision.png"), full_page=True)
    assert os.path.getsize(SHOTS / "workbench.png") > 10_000
