"""Logins, logouts, failed logins and lockouts go into the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from casework.accounts import services


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    services.record_login(user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    services.record_logout(user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    services.record_login_failed(username=str(credentials.get("username", "")))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    services.record_lockout(username=str(username or ""))
