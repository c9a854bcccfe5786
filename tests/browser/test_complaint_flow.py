"""A complaint in headless Chromium: filed by a member of the public, handled by staff, followed with
the tracking code and secret. Screenshots in var/screenshots/."""

import subprocess

import pytest
from django.contrib.auth.models import Permission

from complaints.models import Complaint
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.complaints.conftest import ID_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_file_handle_and_track(page, live_server, luoyang, bob, carol):  # noqa: F811
    bob.user_permissions.add(Permission.objects.get(codename="view_complainant"))

    # 1. The public files a complaint; no account.
    page.goto(f"{live_server.url}/complaints/file/")
    page.select_option("select[name=complainant_type]", "person")
    page.fill("input[name=complainant_name]", "周明远")
    page.fill("input[name=complainant_id_number]", ID_NUMBER)
    page.fill("input[name=contact_phone]", "13800138000")
    page.select_option("select[name=receiver]", luoyang["housing"].code)
    page.fill("input[name=project_code]", "LYGC2026-201")
    page.fill("input[name=project_name]", "洛阳市某道路改造工程")
    page.select_option("select[name=grounds_category]", "bid_rigging")
    page.fill("textarea[name=grounds]", "中标候选人甲公司与乙公司的投标文件由同一人编制，存在串通投标行为。")
    page.fill("textarea[name=requested_outcome]", "请求依法查处并重新确定中标人。")
    page.screenshot(path=str(SHOTS / "complaint-1-file.png"), full_page=True)
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_url("**/complaints/receipt/")
    code = page.locator("#tracking-code").inner_text().strip()
    secret = page.locator("#tracking-secret").inner_text().strip()
    page.screenshot(path=str(SHOTS / "complaint-2-receipt.png"), full_page=True)

    # 2. Staff accept and decide.
    as_user(page, live_server, "bob")
    complaint = Complaint.objects.get()
    page.goto(f"{live_server.url}{complaint.get_absolute_url()}")
    assert "周明远" in page.locator("#complainant").inner_text()
    page.get_by_role("button", name="受理", exact=True).click()
    assert "已受理" in page.locator("#complaint-status").inner_text()
    assert page.locator("#needs-leader").is_visible()  # the decision is the leader's
    as_user(page, live_server, "carol")
    page.goto(f"{live_server.url}{complaint.get_absolute_url()}")
    page.select_option("select[name=outcome]", "upheld")
    page.fill("textarea[name=decision]", "经调查，甲公司与乙公司投标文件由同一人编制，串通投标属实。")
    page.get_by_role("button", name="作出处理决定并生成决定书").click()
    assert "已作出处理决定" in page.locator("#complaint-status").inner_text()
    page.get_by_role("button", name="公开处理结果（隐去投诉人信息）").click()
    page.screenshot(path=str(SHOTS / "complaint-3-staff.png"), full_page=True)

    # 3. The complainant follows it with the code and secret, and reads the decision.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/complaints/track/")
    page.fill("input[name=tracking_code]", code)
    page.fill("input[name=secret]", secret)
    page.get_by_role("button", name="查询").click()
    status = page.locator("#status").inner_text()
    assert "已作出处理决定" in status and "投诉成立" in status
    page.screenshot(path=str(SHOTS / "complaint-4-track.png"), full_page=True)
    pdf = page.request.get(f"{live_server.url}{page.locator('#decision-letter').get_attribute('href')}").body()
    assert pdf.startswith(b"%PDF")
    (SHOTS / "complaint-decision.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(SHOTS / "complaint-decision.pdf"),
                    str(SHOTS / "complaint-decision")], check=True)
    page.goto(f"{live_server.url}/complaints/published/")
    published = page.locator("main").inner_text()
    assert "洛阳市某道路改造工程" in published and "周明远" not in published and "周**" in published
