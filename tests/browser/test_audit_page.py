"""The auditor's page in headless Chromium: search by person, verify the chain with the button."""

import pytest
from django.contrib.auth.models import Permission

from casework.events.models import Event
from casework.org.models import Membership
from tests.browser.test_workbench import SHOTS, login, page  # noqa: F401  (the page fixture)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTES_SHOTS = SHOTS.parents[2].parent / "notes" / "shots"


def _shot(browser_page, name):
    browser_page.screenshot(path=str(SHOTS / f"perf-audit-{name}.png"), full_page=True)
    if NOTES_SHOTS.is_dir():
        browser_page.screenshot(path=str(NOTES_SHOTS / f"perf-audit-{name}.png"), full_page=True)


def test_auditor_searches_and_verifies(page, live_server, luoyang, bob, alice):  # noqa: F811
    from casework.events.services import record

    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    quinn = make_user("quinn", office, Membership.Role.HANDLER, first_name="审计员")
    quinn.user_permissions.add(Permission.objects.get(codename="view_auditlog", content_type__app_label="casework"))
    record(actor=bob, obj=luoyang["housing"], action="clue.accepted", reason="依法受理")
    record(actor=alice, obj=luoyang["trading_centre"], action="clue.received", reason="=1+1 公式不应执行")
    login(page, live_server, "quinn")
    page.click("text=审计日志")
    page.wait_for_selector("#events")
    assert page.locator("#events tbody tr").count() == Event.objects.count()
    page.fill("input[name=person]", "bob")
    page.click("#audit-search button:has-text('查询')")
    page.wait_for_selector("#events")
    rows = page.locator("#events tbody tr")
    assert rows.count() == 1 and "受理并告知移送单位" in rows.first.inner_text()
    page.click("#audit-verify button")
    page.wait_for_selector(".alert")
    assert "审计链完好" in page.locator(".alert").first.inner_text()
    _shot(page, "verified")
