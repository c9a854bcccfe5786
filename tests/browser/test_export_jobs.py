"""A big ledger export in headless Chromium: the list sends the handler to the job's page, whose progress bar is
polled by static/portal/exports.js (no inline script), then shows the download link; 我的导出 lists the job.
Screenshots in var/screenshots/ (and /work/notes/shots/ when it exists)."""

import pytest

from casework.exportjobs import services as jobs
from casework.exportjobs.models import ExportJob
from complaints import services
from tests.browser.test_lists import shot
from tests.browser.test_workbench import login, page  # noqa: F401  (the browser fixture)
from tests.complaints.conftest import complaint_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_big_export_shows_its_progress_then_the_link(page, live_server, settings, luoyang, bob):  # noqa: F811
    settings.PORTAL_EXPORT_INLINE_ROWS = 1  # two complaints make a "big" export here
    for n in range(2):
        services.file_complaint(data=complaint_input(luoyang, project_code=f"LYGC2026-5{n}0",
                                                     project_name=f"洛阳市第{n}号桥梁工程"),
                                channel="online", submission_key=f"web:browser-export-{n}")
    login(page, live_server, "bob")
    page.goto(f"{live_server.url}/complaints/?search=桥梁")
    page.click("#export-xlsx")
    page.wait_for_selector("#export-job")
    job = ExportJob.objects.get(owner=bob)
    assert page.url.endswith(f"/exports/{job.pk}/")
    assert page.inner_text("#export-state") == "排队中" and not page.is_visible("#export-link")
    assert "搜索：桥梁" in page.inner_text("main")
    shot(page, "export-job-queued")

    assert jobs.run(job.pk) == ExportJob.State.DONE  # the worker's part
    page.wait_for_selector("#export-link:not([hidden])", timeout=15000)  # the page polls status.json
    assert page.inner_text("#export-state") == "完成" and page.inner_text("#export-percent") == "100%"
    assert page.inner_text("#export-done") == "2"
    shot(page, "export-job-done")
    with page.expect_download() as download:
        page.click("#export-download")
    assert download.value.suggested_filename.startswith("投诉台账") and download.value.suggested_filename.endswith(
        ".xlsx")

    page.goto(f"{live_server.url}/exports/")
    assert "投诉台账" in page.inner_text("#export-jobs") and "完成" in page.inner_text("#export-jobs")
    shot(page, "export-my-exports")
