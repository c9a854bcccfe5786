"""Authentication and sessions: lockout after failed logins (django-axes) with an audited unlock, the login
throttle per address, password policy and change page, forced change of an initial password, idle timeout and
session cookies, two-factor for administrators with recovery codes, CSP, the trusted proxy address."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_otp.oath import TOTP

from casework.accounts import services
from casework.accounts.policy import requires_two_factor
from casework.errors import Forbidden
from casework.events.models import Event
from casework.middleware import client_ip
from tests.conftest import at

ROOT = Path(__file__).resolve().parents[2]


def login_post(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def actions(**filters):
    return list(Event.objects.filter(**filters).order_by("seq").values_list("action", flat=True))


def test_login_and_logout_are_audited(client, bob):
    resp = login_post(client, "bob", "pw-bob")
    assert resp.status_code == 302
    client.post("/logout/")
    assert actions(object_type="auth.user", object_id=str(bob.pk))[-2:] == ["account.login", "account.logout"]
    event = Event.objects.filter(action="account.login").last()
    assert event.actor == bob and event.ip == "127.0.0.1"


def test_five_failures_lock_the_username_until_an_administrator_unlocks_it(client, bob, olga):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        resp = login_post(client, "bob", "wrong-password")
        assert resp.status_code in (200, 429)
    resp = login_post(client, "bob", "pw-bob")  # even the right password: locked
    assert resp.status_code == 429
    page = resp.content.decode()
    assert "账号已锁定" in page and "联系系统管理员" in page
    assert "_auth_user_id" not in client.session
    bob_events = actions(object_type="auth.user", object_id=str(bob.pk))
    assert bob_events.count("account.login_failed") >= settings.AXES_FAILURE_LIMIT
    assert "account.locked_out" in bob_events

    with pytest.raises(Forbidden):
        services.unlock(actor=bob, username="bob")
    services.unlock(actor=olga, username="bob")
    unlock = Event.objects.filter(action="account.unlocked").get()
    assert unlock.actor == olga and unlock.after["username"] == "bob"
    assert login_post(client, "bob", "pw-bob").status_code == 302


def test_admin_unlock_action_on_the_failure_list(client, bob, olga):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        login_post(client, "bob", "wrong-password")
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="bob")
    client.force_login(olga)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "解除所选用户名的登录锁定" in page and "bob" in page
    resp = client.post("/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]},
                       follow=True)
    assert "已解除锁定：bob" in resp.content.decode()
    assert not AccessAttempt.objects.filter(username="bob").exists()
    assert Event.objects.filter(action="account.unlocked", actor=olga).exists()


def test_failed_login_for_an_unknown_name_is_recorded_without_creating_anyone(client, luoyang):
    from django.contrib.auth import get_user_model

    login_post(client, "nobody-here", "x")
    event = Event.objects.get(action="account.login_failed")
    assert event.object_type == "auth.username" and event.object_id == "nobody-here"
    assert not get_user_model().objects.filter(username="nobody-here").exists()


@override_settings(PORTAL_RATE_LIMITS={**settings.PORTAL_RATE_LIMITS, "login": "3/300"})
def test_login_attempts_from_one_address_are_throttled(client, bob):
    from django.core.cache import cache

    cache.clear()
    for name in ("x1", "x2", "x3"):
        assert login_post(client, name, "wrong").status_code == 200
    resp = login_post(client, "bob", "pw-bob")
    assert resp.status_code == 429 and "操作过于频繁" in resp.content.decode()
    assert int(resp["Retry-After"]) > 0
    other = login_post(client, "bob", "pw-bob", REMOTE_ADDR="10.1.2.3")  # another address is not affected
    assert other.status_code == 302
    cache.clear()


def test_password_change_page_applies_the_policy(client, bob):
    assert client.get("/password_change/").status_code == 302  # anonymous: to the login page
    client.force_login(bob)
    page = client.get("/password_change/").content.decode()
    assert "修改密码" in page and "至少 12 位" in page

    def change(new):
        return client.post("/password_change/", {"old_password": "pw-bob", "new_password1": new,
                                                 "new_password2": new})

    for weak, message in [("Sh0rt!pw", "至少需要 12 个字符"), ("password1234", "太常见"),
                          ("bob@example.invalid", "相似"), ("839201746519", "只包含数字")]:
        resp = change(weak)
        assert resp.status_code == 200 and message in resp.content.decode(), weak
    resp = change("pw-bob")
    assert "新密码不能与当前密码相同" in resp.content.decode()
    resp = change("青山绿水-Tender-2026")
    assert resp.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("青山绿水-Tender-2026")
    assert Event.objects.filter(action="account.password_changed", actor=bob).exists()


def test_an_initial_password_must_be_changed_before_anything_else(client, bob, olga):
    services.require_password_change(actor=olga, user=bob)
    assert login_post(client, "bob", "pw-bob").status_code == 302
    resp = client.get("/referrals/")
    assert resp.status_code == 302 and resp["Location"].startswith("/password_change/?next=")
    assert "您正在使用初始密码" in client.get(resp["Location"]).content.decode()
    assert client.get("/api/v1/departments/").status_code == 403
    resp = client.post("/password_change/", {"old_password": "pw-bob", "new_password1": "青山绿水-Tender-2026",
                                             "new_password2": "青山绿水-Tender-2026", "next": "/referrals/"})
    assert resp.status_code == 302 and resp["Location"] == "/referrals/"
    assert client.get("/referrals/").status_code == 200
    assert not services.must_change_password(bob)


def test_a_user_created_in_the_admin_must_change_the_password(client, olga):
    client.force_login(olga)
    resp = client.post("/admin/auth/user/add/", {"username": "newcomer", "password1": "青山绿水-Initial-01",
                                                 "password2": "青山绿水-Initial-01", "usable_password": "true"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    from django.contrib.auth import get_user_model

    assert services.must_change_password(get_user_model().objects.get(username="newcomer"))


@override_settings(PORTAL_SESSION_IDLE_SECONDS=30 * 60)
def test_idle_sessions_end_after_thirty_minutes(client, bob, frozen):
    frozen(at(2026, 11, 10, 9, 0))
    login_post(client, "bob", "pw-bob")
    frozen(at(2026, 11, 10, 9, 25))
    assert client.get("/referrals/").status_code == 200
    frozen(at(2026, 11, 10, 9, 50))  # 25 minutes after the last request: still in
    assert client.get("/referrals/").status_code == 200
    frozen(at(2026, 11, 10, 10, 25))  # 35 idle minutes
    resp = client.get("/referrals/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/?next=")
    assert "_auth_user_id" not in client.session
    assert "已自动退出" in client.get(resp["Location"]).content.decode()
    assert Event.objects.filter(action="account.session_expired", actor=bob).exists()


def test_staff_session_cookie_ends_with_the_browser_and_anonymous_sessions_are_short(client, bob, luoyang):
    login_post(client, "bob", "pw-bob")
    client.get("/referrals/")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    anonymous = type(client)()
    anonymous.get("/complaints/file/")
    from tests.complaints.test_filing import form_data

    anonymous.post("/complaints/file/", form_data(luoyang))
    assert anonymous.session.get_expiry_age() == settings.PORTAL_ANONYMOUS_SESSION_SECONDS <= 15 * 60


def test_csp_header_allows_no_inline_script(client, bob):
    client.force_login(bob)
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and "frame-ancestors" in directives
    assert client.get("/login/").headers["Content-Security-Policy"] == policy


def test_no_template_carries_inline_script():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "javascript:" not in text, path
    assert (ROOT / "static/portal/portal.js").exists()


def test_the_api_docs_run_their_script_from_a_file(client, bob):
    client.force_login(bob)
    page = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


# --- Two-factor ------------------------------------------------------------------------------------

def current_code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def test_who_needs_two_factor(bob, carol, olga, sam, audrey, luoyang):
    with override_settings(PORTAL_TWO_FACTOR_ENFORCED=True):
        assert requires_two_factor(olga) and not requires_two_factor(bob) and not requires_two_factor(carol)
        from django.contrib.auth import get_user_model

        from casework.org.models import Membership
        from casework.org.services import add_membership

        assert requires_two_factor(sam) and requires_two_factor(audrey)  # every one of the 三员
        newcomer = get_user_model().objects.create_user("nina")
        add_membership(user=newcomer, department=luoyang["drc"], role=Membership.Role.AUDITOR)
        newcomer.is_staff = False
        newcomer.save(update_fields=["is_staff"])
        assert requires_two_factor(newcomer)  # a duty, even without is_staff
        with override_settings(PORTAL_TWO_FACTOR_FOR_STAFF=True):
            assert requires_two_factor(bob)
    assert not requires_two_factor(olga)  # switched off (as in the other tests)


@override_settings(PORTAL_TWO_FACTOR_ENFORCED=True)
def test_administrator_binds_an_authenticator_then_needs_it_at_every_login(client, olga, frozen):
    login_post(client, "olga", "pw-olga")
    resp = client.get("/admin/")
    assert resp.status_code == 302 and resp["Location"].startswith("/account/two-factor/setup/")
    page = client.get(resp["Location"]).content.decode()
    assert "绑定身份验证器" in page and "管理员账号须启用双因素认证" in page
    device = services.pending_totp(olga)
    assert services.base32_key(device) in page
    assert client.post("/account/two-factor/setup/", {"token": "000000x"}).status_code == 400
    resp = client.post("/account/two-factor/setup/", {"token": current_code(device), "next": "/admin/"})
    assert resp.status_code == 302 and "/recovery-codes/" in resp["Location"]
    page = client.get(resp["Location"]).content.decode()
    codes = re.findall(r"<li><code>([^<]+)</code></li>", page)
    assert len(codes) == services.RECOVERY_CODES and "只显示这一次" in page
    assert all(c not in client.get("/account/two-factor/recovery-codes/").content.decode() for c in codes)
    assert client.get("/admin/").status_code == 200

    client.post("/logout/")
    login_post(client, "olga", "pw-olga")
    resp = client.get("/admin/")
    assert resp["Location"].startswith("/account/two-factor/verify/")
    assert client.get("/api/v1/departments/").status_code == 403
    assert client.post("/account/two-factor/verify/", {"token": "123456"}).status_code == 400
    frozen(timezone.now() + dt.timedelta(seconds=30))  # django-otp slows guessing down after each failure
    resp = client.post("/account/two-factor/verify/", {"token": codes[0], "next": "/admin/"})
    assert resp.status_code == 302 and resp["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    client.post("/logout/")
    login_post(client, "olga", "pw-olga")
    assert client.post("/account/two-factor/verify/", {"token": codes[0]}).status_code == 400  # used up
    frozen(timezone.now() + dt.timedelta(seconds=60))
    assert client.post("/account/two-factor/verify/", {"token": codes[1]}).status_code == 302
    recorded = actions(actor=olga)
    for action in ("account.two_factor_enabled", "account.recovery_codes_generated",
                   "account.two_factor_verified", "account.two_factor_failed"):
        assert action in recorded


@override_settings(PORTAL_TWO_FACTOR_ENFORCED=True)
def test_staff_without_an_administrative_role_are_not_asked(client, bob):
    login_post(client, "bob", "pw-bob")
    assert client.get("/referrals/").status_code == 200


# --- The client address ----------------------------------------------------------------------------

def test_client_address_comes_from_the_trusted_proxy_header_only_when_configured():
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "10.0.0.5"
    with override_settings(PORTAL_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR"):
        assert client_ip(request) == "203.0.113.7"  # what the proxy appended, not what the client claimed
        with override_settings(PORTAL_TRUSTED_PROXY_COUNT=2):
            assert client_ip(request) == "6.6.6.6"
        garbage = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-address")
        assert client_ip(garbage) == "10.0.0.5"


@override_settings(PORTAL_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR")
def test_audit_events_carry_the_proxied_address(client, bob):
    login_post(client, "bob", "pw-bob", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert Event.objects.filter(action="account.login").last().ip == "203.0.113.9"


@override_settings(PORTAL_TWO_FACTOR_ENFORCED=True, DEBUG=True)
def test_demo_admin_logs_in_with_the_printed_authenticator_key(client, db):
    import base64
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", "--preset", "luoyang", stdout=out)
    text = out.getvalue()
    secret = re.search(r"身份验证器密钥（[^）]*）：([A-Z2-7]+)", text).group(1)
    assert "恢复码" in text and "须先修改初始密码" in text
    login_post(client, "ly-drc.admin", "demo-2026!")
    resp = client.get("/admin/")
    assert resp["Location"].startswith("/password_change/")  # the public demo password is an initial one
    new = "青山绿水-Admin-2026"
    client.post("/password_change/", {"old_password": "demo-2026!", "new_password1": new, "new_password2": new})
    resp = client.get("/admin/")
    assert resp["Location"].startswith("/account/two-factor/verify/")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    code = str(TOTP(key).token()).zfill(6)
    assert client.post("/account/two-factor/verify/", {"token": code, "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200
