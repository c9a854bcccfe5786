"""Accounts: the audit of logins, logouts, failures and lockouts; unlocking; initial passwords;
two-factor devices and recovery codes. Every change is an audit event (casework.events.services.record)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import AccountSecurity
from casework.errors import DomainError, Forbidden
from casework.events.services import record

RECOVERY_CODES = 10
USERNAME_MAX = 150


class LoginName:
    """The audit subject of a failed login for a username that has no account (so nothing is created)."""

    _meta = SimpleNamespace(label_lower="auth.username")

    def __init__(self, username: str):
        self.pk = (username or "")[:64]


def _subject(username: str):
    user = get_user_model().objects.filter(username=(username or "")[:USERNAME_MAX]).first()
    return user, (user if user is not None else LoginName(username))


def record_login(*, user) -> None:
    record(actor=user, obj=user, action="account.login")


def record_logout(*, user) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        record(actor=user, obj=user, action="account.logout")


def record_login_failed(*, username: str) -> None:
    user, subject = _subject(username)
    record(actor=None, obj=subject, action="account.login_failed", after={"username": (username or "")[:64]})


def record_lockout(*, username: str) -> None:
    user, subject = _subject(username)
    record(actor=None, obj=subject, action="account.locked_out", after={"username": (username or "")[:64]})


def is_admin(user) -> bool:
    from casework.org.models import Membership

    return bool(user.is_superuser or user.is_staff
                or Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists())


@transaction.atomic
def unlock(*, actor, username: str) -> int:
    """An administrator lifts the lockout of `username` (every failure counted against it is cleared)."""
    from axes.models import AccessAttempt

    if not is_admin(actor):
        raise Forbidden("只有管理员可以解除登录锁定")
    username = (username or "").strip()
    if not username:
        raise DomainError.for_field("username", "请填写要解除锁定的用户名")
    cleared, _ = AccessAttempt.objects.filter(username=username).delete()
    _user, subject = _subject(username)
    record(actor=actor, obj=subject, action="account.unlocked", after={"username": username, "cleared": cleared})
    return cleared


def security_of(user) -> AccountSecurity:
    state, _ = AccountSecurity.objects.get_or_create(user=user)
    return state


def must_change_password(user) -> bool:
    return AccountSecurity.objects.filter(user=user, must_change_password=True).exists()


@transaction.atomic
def require_password_change(*, actor, user) -> None:
    """The password `user` has now was given to them (an initial password): they must change it first."""
    state = security_of(user)
    if not state.must_change_password:
        state.must_change_password = True
        state.save(update_fields=["must_change_password"])
        record(actor=actor, obj=user, action="account.password_change_required")


@transaction.atomic
def password_changed(*, user) -> None:
    state = security_of(user)
    state.must_change_password, state.password_changed_at = False, timezone.now()
    state.save(update_fields=["must_change_password", "password_changed_at"])
    record(actor=user, obj=user, action="account.password_changed")


# --- Two-factor (django-otp) ---------------------------------------------------------------------

def confirmed_totp(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user):
    """The unconfirmed TOTP device being set up (created on first call, kept until confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


@transaction.atomic
def confirm_totp(*, user, token: str):
    """Confirm the authenticator being set up with a code it shows. Returns the device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    token = (token or "").strip()
    if device is None:
        raise DomainError.for_field("token", "没有待绑定的身份验证器，请刷新页面重试")
    if not token.isascii() or not token.isdigit() or not device.verify_token(token):
        raise DomainError.for_field("token", "验证码不正确或已过期，请输入身份验证器当前显示的 6 位数字")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor=user, obj=user, action="account.two_factor_enabled")
    return device


@transaction.atomic
def new_recovery_codes(*, actor, user) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODES fresh single-use ones, shown once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    if actor.pk != user.pk and not is_admin(actor):
        raise Forbidden("只能为自己生成恢复码")
    device, _ = StaticDevice.objects.get_or_create(user=user, name="恢复码", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    record(actor=actor, obj=user, action="account.recovery_codes_generated", after={"count": len(codes)})
    return codes


def verify_second_factor(*, user, token: str):
    """The device that accepts `token` (a TOTP code or an unused recovery code), or None. A recovery code is
    used up. Every refusal is recorded."""
    from django_otp import devices_for_user

    token = (token or "").strip().replace(" ", "")
    if token and len(token) <= 16 and token.isascii():
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(token):
                kind = "recovery_code" if device.__class__.__name__ == "StaticDevice" else "totp"
                record(actor=user, obj=user, action="account.two_factor_verified", after={"method": kind})
                return device
    record(actor=user, obj=user, action="account.two_factor_failed")
    return None


def base32_key(device) -> str:
    """The TOTP key as the Base32 text authenticator apps accept when typed in."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")
