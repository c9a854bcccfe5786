"""Confidentiality in headless Chromium: the public files a complaint with its identity written into the free text;
every other persona looks at the case, the published outcome and the letters. Screenshots in /work/notes/shots/
(conf-*.png) when that folder exists, else var/screenshots/."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from casework.org.models import Membership
from complaints.models import Complaint
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS as DEFAULT_SHOTS
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOTES = Path("/work/notes/shots")
SHOTS = NOTES if NOTES.is_dir() else DEFAULT_SHOTS
NAME, ID_NUMBER = "司马明远", "410302199001011235"
SECRETS = (NAME, ID_NUMBER, "6321 6655", "63216655", "13912345678", "139 1234 5678")


def shot(p, name):
    p.screenshot(path=str(SHOTS / f"conf-{name}.png"), full_page=True)


def visible_secrets(p) -> list[str]:
    text = p.locator("body").inner_text()
    return [s for s in SECRETS if s in text]


def pdf_text(p, live_server, href) -> tuple[int, str]:
    resp = p.request.get(f"{live_server.url}{href}")
    if resp.status != 200:
        return resp.status, ""
    out = subprocess.run(["pdftotext", "-", "-"], input=resp.body(), capture_output=True, check=True)
    return 200, out.stdout.decode()


def test_identity_only_for_the_cleared_handling_staff(page, live_server, luoyang, bob, carol, dave, erin,  # noqa: F811
                                                      olga, lily):
    perm = Permission.objects.get(codename="view_complainant")
    bob.user_permissions.add(perm)
    dave.user_permissions.add(perm)   # a supervisor cleared by mistake: still not the handling department
    get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-root")
    make_user("sam", next(d for d in luoyang["all"] if d.is_supervision_office), Membership.Role.SECURITY_ADMIN)

    # 1. The public files, writing its identity into the facts and the request too.
    page.goto(f"{live_server.url}/complaints/file/")
    page.select_option("select[name=complainant_type]", "person")
    page.fill("input[name=complainant_name]", NAME)
    page.fill("input[name=complainant_id_number]", ID_NUMBER)
    page.fill("input[name=contact_phone]", "0379-63216655")
    page.select_option("select[name=receiver]", luoyang["housing"].code)
    page.fill("input[name=project_code]", "LYGC2026-401")
    page.fill("input[name=project_name]", "洛阳市某安置房工程")
    page.select_option("select[name=grounds_category]", "bid_rigging")
    page.fill("textarea[name=grounds]", f"本人司马 明远（身份证 {ID_NUMBER}，电话 0379 6321 6655，"
                                        "手机 +86 139 1234 5678）发现两家投标人由同一人报名，疑似串通投标。")
    page.fill("textarea[name=requested_outcome]", "请求依法查处，结果请电话告知：6321 6655。")
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_url("**/complaints/receipt/")
    complaint = Complaint.objects.get()
    url = f"{live_server.url}{complaint.get_absolute_url()}"

    # 2. The cleared handler sees the identity; the leader decides, naming the complainant again.
    as_user(page, live_server, "bob")
    page.goto(url)
    assert NAME in page.locator("#complainant").inner_text()
    shot(page, "1-handler-cleared")
    page.get_by_role("button", name="受理", exact=True).click()
    as_user(page, live_server, "carol")
    page.goto(url)
    assert visible_secrets(page) == []      # the leader is not cleared: masked, free text too
    shot(page, "2-leader-uncleared")
    page.select_option("select[name=outcome]", "upheld")
    page.fill("textarea[name=decision]", f"经查，投诉人司马明远（{ID_NUMBER}，0379-63216655）所诉属实。")
    page.get_by_role("button", name="作出处理决定并生成决定书").click()
    page.get_by_role("button", name="公开处理结果（隐去投诉人信息）").click()
    complaint.refresh_from_db()
    letter = f"/letters/{complaint.decision_letter_id}.pdf"

    # 3. Every other persona: the case page, the letter.
    as_user(page, live_server, "bob")
    status, text = pdf_text(page, live_server, letter)
    assert status == 200 and NAME in text
    for username, case_status in (("carol", 200), ("lily", 200), ("dave", 200), ("erin", 404), ("olga", 404),
                                  ("sam", 404), ("root", 404)):
        as_user(page, live_server, username)
        resp = page.goto(url)
        assert resp.status == case_status, username
        assert visible_secrets(page) == [], username
        shot(page, f"3-case-{username}")
        status, text = pdf_text(page, live_server, letter)
        assert status == 404, (username, status)
    as_user(page, live_server, "root")
    page.goto(f"{live_server.url}/admin/casework/letter/")
    assert visible_secrets(page) == []
    shot(page, "4-admin-superuser")

    # 4. The published outcome, for everyone.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/complaints/published/")
    text = page.locator("main").inner_text()
    assert "洛阳市某安置房工程" in text and visible_secrets(page) == [] and "司**" in text
    shot(page, "5-published")
