"""Who must use two-factor authentication. The one place to extend (e.g. with the 三员 roles)."""

from django.conf import settings


def requires_two_factor(user) -> bool:
    """True when `user` may not use the portal without a verified second factor (TOTP or recovery code):
    administrators (is_staff, is_superuser, or one of the 三员 duties: system and security administrator,
    auditor), and every staff member when
    PORTAL_TWO_FACTOR_FOR_STAFF is set. API clients authenticate by token, not here."""
    if not getattr(settings, "PORTAL_TWO_FACTOR_ENFORCED", True):
        return False
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_client", None) is not None:
        return False
    from casework.org.models import ADMIN_DUTIES, Membership

    if user.is_staff or user.is_superuser:
        return True
    if Membership.objects.filter(user=user, role__in=list(ADMIN_DUTIES)).exists():  # the 三员, each of them
        return True
    return bool(getattr(settings, "PORTAL_TWO_FACTOR_FOR_STAFF", False))
