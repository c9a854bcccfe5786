"""What a person sees of the hardening, in headless Chromium, under the Content-Security-Policy: the lockout
page, the forced password change, binding an authenticator, and the CAPTCHA on the public form. No page logs a
CSP violation. Screenshots land in var/screenshots/ (and /work/notes/shots/ when that folder exists)."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from casework.accounts import services
from tests.browser.test_workbench import SHOTS, page  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTES = Path("/work/notes/shots")


def shot(page, name):  # noqa: F811
    path = SHOTS / f"harden-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)


def watch_csp(page):  # noqa: F811
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


@override_settings(PORTAL_TWO_FACTOR_ENFORCED=True, PORTAL_CAPTCHA_AFTER=1)
def test_lockout_password_change_two_factor_and_captcha(page, live_server, luoyang, bob, olga):  # noqa: F811
    cache.clear()
    violations = watch_csp(page)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "bob")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
    assert "账号已锁定" in page.content()
    shot(page, "locked-out")
    services.unlock(actor=olga, username="bob")

    services.require_password_change(actor=olga, user=bob)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "pw-bob")
    page.click("button[type=submit]")
    page.wait_for_url("**/password_change/**")
    assert "您正在使用初始密码" in page.content()
    page.fill("input[name=old_password]", "pw-bob")
    page.fill("input[name=new_password1]", "password1234")
    page.fill("input[name=new_password2]", "password1234")
    page.click("button[type=submit]")
    assert "这个密码太常见了" in page.content()
    shot(page, "password-change")
    page.fill("input[name=old_password]", "pw-bob")
    page.fill("input[name=new_password1]", "青山绿水-Tender-2026")
    page.fill("input[name=new_password2]", "青山绿水-Tender-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=退出")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", "pw-olga")
    page.click("button[type=submit]")
    page.wait_for_url("**/two-factor/setup/**")
    assert "管理员账号须启用双因素认证" in page.content()
    shot(page, "two-factor-setup")
    page.click("text=退出") if page.locator("text=退出").count() else None

    public = page.context.new_page()
    public.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    public.goto(f"{live_server.url}/complaints/report/")
    public.select_option("select[name=receiver]", luoyang["housing"].code)
    public.fill("input[name=project_name]", "某道路工程")
    public.fill("textarea[name=summary]", "评标专家与投标人存在利害关系。")
    public.click("button[type=submit]")
    public.goto(f"{live_server.url}/complaints/report/")
    assert public.locator("img.captcha").count() == 1
    assert public.evaluate("document.querySelector('img.captcha').naturalWidth") > 0
    shot(public, "captcha")
    assert violations == []
