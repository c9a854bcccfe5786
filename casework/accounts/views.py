"""Login (rate-limited per address; django-axes locks the username), password change, two-factor pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from casework import ratelimit
from casework.accounts import services
from casework.accounts.policy import requires_two_factor
from casework.errors import DomainError


def _next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return default
    return target


@method_decorator(ratelimit.limit("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login, throttled per client address; a locked username gets the lockout page (axes)."""


class PortalPasswordChangeForm(PasswordChangeForm):
    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError("新密码不能与当前密码相同")
        return new


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "registration/password_change_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = services.must_change_password(self.request.user)
        context["next"] = _next(self.request, "")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)
        messages.success(self.request, "密码已修改。")
        target = _next(self.request, "")
        return redirect(target) if target else response


class TokenForm(forms.Form):
    token = forms.CharField(label="验证码", max_length=16, error_messages={"required": "请输入验证码"})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Bind an authenticator app (TOTP): shows the key, then asks for a code it shows."""
    form = TokenForm(request.POST or None)
    device = services.pending_totp(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp(user=request.user, token=form.cleaned_data["token"])
        except DomainError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            request.session["portal_recovery_codes"] = services.new_recovery_codes(actor=request.user,
                                                                                   user=request.user)
            return redirect(f"/account/two-factor/recovery-codes/?next={_next(request)}")
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "secret": services.base32_key(device), "uri": device.config_url,
        "required": requires_two_factor(request.user), "next": _next(request)}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of a login: a code from the authenticator, or one unused recovery code."""
    if services.confirmed_totp(request.user) is None:
        return redirect(f"/account/two-factor/setup/?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, wait = ratelimit.hit("login", f"otp:{request.user.pk}")
        if not allowed:
            return ratelimit.too_many(request, wait)
        device = services.verify_second_factor(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", "验证码不正确或已使用，请重试")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """Shows fresh recovery codes once (after binding, or when the person asks for new ones)."""
    codes = request.session.pop("portal_recovery_codes", None)
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect(f"/account/two-factor/verify/?next={request.path}")
        codes = services.new_recovery_codes(actor=request.user, user=request.user)
    return render(request, "registration/recovery_codes.html", {
        "codes": codes, "next": _next(request), "bound": services.confirmed_totp(request.user) is not None})
