"""A handler's day at the lists, in headless Chromium: search and filter the complaints, save the filter and
get it back as a link, export, the assistance and clock lists, and the printable 投诉书 as paper shows it
(no navigation, no link addresses). Screenshots in var/screenshots/ (and /work/notes/shots/ when it exists)."""

import shutil
from pathlib import Path

import pytest

from complaints import services
from tests.browser.test_workbench import SHOTS, login, page  # noqa: F401  (the browser fixture)
from tests.complaints.conftest import complaint_input
from tests.jointaction.test_assistance import ask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTES = Path("/work/notes/shots")


def shot(page, name):  # noqa: F811
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)


def test_lists_saved_view_export_and_print(page, live_server, luoyang, bob):  # noqa: F811
    road = services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:b1").complaint
    bridge = services.file_complaint(data=complaint_input(
        luoyang, project_code="LYGC2026-777", project_name="洛阳市某桥梁维修工程",
        grounds="招标文件设置不合理条件排斥潜在投标人。"), channel="online", submission_key="web:b2").complaint
    ask(bob, luoyang)
    login(page, live_server, "bob")

    page.goto(f"{live_server.url}/complaints/")
    page.fill("#list-filters input[name=search]", "桥梁")
    page.click("#list-filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.inner_text("#complaints tbody")
    assert bridge.reference in rows and road.reference not in rows
    assert page.inner_text("#list-count") == "1"
    page.click("#saved-views summary")
    page.fill("#save-view-form input[name=name]", "桥梁投诉")
    page.click("#save-view-form button[type=submit]")
    page.wait_for_load_state()
    assert "已保存筛选" in page.inner_text("main")
    shot(page, "list-complaints-saved-view")
    page.goto(f"{live_server.url}/complaints/")
    assert page.inner_text("#complaints tbody").count("LY") >= 2 or road.reference in page.inner_text("#complaints")
    page.click("#saved-views a:has-text('桥梁投诉')")
    page.wait_for_load_state()
    assert road.reference not in page.inner_text("#complaints tbody")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")

    page.goto(f"{live_server.url}/joint/assistance/")
    assert "洛阳市某学校教学楼工程串通投标案" in page.inner_text("#assistance")
    shot(page, "list-assistance")
    page.goto(f"{live_server.url}/handoffs/")
    shot(page, "list-handoffs")

    page.goto(f"{live_server.url}{bridge.get_absolute_url()}")
    page.click("#print-complaint")
    page.wait_for_load_state()
    assert "投　诉　书" in page.inner_text("main")
    page.emulate_media(media="print")
    assert not page.is_visible("header.topbar") and not page.is_visible(".no-print")
    shot(page, "print-complaint")
    page.pdf(path=str(SHOTS / "print-complaint.pdf"), format="A4")
