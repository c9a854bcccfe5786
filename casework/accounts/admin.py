"""Administration of accounts: locked-out usernames (unlock, audited), initial passwords, 2FA reset."""

from axes.models import AccessAttempt
from django.contrib import admin, messages

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

# The user admin itself is casework.admin.PortalUserAdmin (三员分立 fieldsets, these actions included).
