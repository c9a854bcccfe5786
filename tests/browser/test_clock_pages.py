"""The clock table page, the dispute on the supervision overview, a paused clock and a late entry, in
headless Chromium. Screenshots go to var/screenshots/ and /work/notes/shots/ when that folder exists."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from casework.clocks import services
from casework.clocks.timing import start_of_day
from tests.browser.test_workbench import SHOTS, login, page  # noqa: F401  (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTES = Path("/work/notes/shots")


def shot(browser_page, name):
    path = SHOTS / f"{name}.png"
    browser_page.screenshot(path=str(path), full_page=True)
    if NOTES.is_dir():
        shutil.copy(path, NOTES / f"{name}.png")


def test_clock_table_and_clock_pages(page, live_server, luoyang, bob, carol, dave):  # noqa: F811
    login(page, live_server, "bob")
    page.goto(f"{live_server.url}/clocks/table/?preset=hegang")
    assert page.locator("#preset-hegang tr[data-key]").count() >= 26
    assert "本地文件未规定时限，采用默认值（参照 洛阳 三(一)）" in page.locator(
        "#preset-hegang tr[data-key='referral.push']").inner_text()
    shot(page, "clocks-table")
    # A clock started from an event four days before it was typed in, then paused.
    today = timezone.localdate()
    clock = services.start_clock(actor=None, subject=luoyang["housing"], rule_key="complaint.decide",
                                 department=luoyang["housing"],
                                 started_at=start_of_day(today - dt.timedelta(days=4)))
    services.pause_clock(actor=carol, clock=clock, reason="专家评审")  # the leader's power
    page.goto(f"{live_server.url}/clocks/{clock.pk}/")
    text = page.locator("#why").inner_text()
    assert "暂停计时中" in text and "录入延迟 4 日" in text
    shot(page, "clocks-paused-late-entry")
