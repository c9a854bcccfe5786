"""Administration of accounts: locked-out usernames (unlock, audited), initial passwords, 2FA reset."""

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from casework.accounts import services
from casework.errors import DomainError


@admin.register(AccessAttempt)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed logins per username (django-axes). Unlocking goes through the audited service."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked"]
    search_fields = ["username", "ip_address"]
    actions = ["unlock"]
    readonly_fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    exclude = ["get_data", "post_data", "http_accept"]

    @admin.display(description="已锁定", boolean=True)
    def locked(self, obj):
        from django.conf import settings

        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.action(description="解除所选用户名的登录锁定")
    def unlock(self, request, queryset):
        names = sorted({a.username for a in queryset if a.username})
        try:
            for name in names:
                services.unlock(actor=request.user, username=name)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已解除锁定：{'、'.join(names) or '（无）'}。")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # unlock with the action, which is audited


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin; a user created here gets an initial password they must change at first login."""

    actions = ["require_password_change", "unlock_login"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            services.require_password_change(actor=request.user, user=obj)

    @admin.action(description="要求下次登录时修改密码")
    def require_password_change(self, request, queryset):
        for user in queryset:
            services.require_password_change(actor=request.user, user=user)
        self.message_user(request, f"已要求 {queryset.count()} 个用户下次登录时修改密码。")

    @admin.action(description="解除登录锁定")
    def unlock_login(self, request, queryset):
        for user in queryset:
            services.unlock(actor=request.user, username=user.username)
        self.message_user(request, f"已解除 {queryset.count()} 个用户的登录锁定。")
