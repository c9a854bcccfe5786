"""Session policy (idle timeout, browser-close cookies for staff, short anonymous sessions) and the account gate
(an initial password must be changed; administrators must pass their second factor) for every page."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect

from casework.accounts import services
from casework.accounts.policy import requires_two_factor
from casework.events.services import record

LAST_SEEN = "portal_last_seen"
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute just to note activity


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            idle = settings.PORTAL_SESSION_IDLE_SECONDS
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if idle and last is not None and now - int(last) > idle:
                record(actor=user, obj=user, action="account.session_expired", after={"idle_seconds": now - int(last)})
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, f"您已超过 {idle // 60} 分钟未操作，已自动退出，请重新登录。")
                    return redirect(f"/login/?{urlencode({'next': request.get_full_path()})}")
            else:
                if last is None or now - int(last) >= TOUCH_EVERY:
                    request.session[LAST_SEEN] = now
                if not request.session.get_expire_at_browser_close():
                    request.session.set_expiry(0)  # staff cookies end with the browser
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated) and request.session.modified and not request.session.is_empty():
            request.session.set_expiry(settings.PORTAL_ANONYMOUS_SESSION_SECONDS)
        return response


EXEMPT_PREFIXES = ("/login/", "/logout/", "/password_change/", "/account/", "/static/", "/captcha/")


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            target, message = self._gate(user)
            if target:
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": {"code": "account_action_required", "message": message,
                                                   "fields": {}}}, status=403)
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _gate(user) -> tuple[str, str]:
        if services.must_change_password(user):
            return "/password_change/", "须先修改初始密码"
        if requires_two_factor(user) and not user.is_verified():
            if services.confirmed_totp(user) is None:
                return "/account/two-factor/setup/", "管理员须先绑定身份验证器（双因素认证）"
            return "/account/two-factor/verify/", "请先完成双因素认证"
        return "", ""
