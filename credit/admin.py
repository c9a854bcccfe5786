"""Credit in the admin: everything read-only. Subjects and records change only through the issuing
department's audited, validated services (an edit here would bypass the code check and the audit trail);
the one thing set here is which expert pools an expert belongs to, and that change is audited."""

from django.contrib import admin

from casework.events.services import record as audit
from credit.models import (
    Correction,
    CreditPush,
    CreditRecord,
    CreditSubject,
    EligibilityQuery,
    ExpertBanNotice,
    ExpertPoolMembership,
    RedListEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PoolInline(admin.TabularInline):
    model = ExpertPoolMembership
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CreditSubject)
class CreditSubjectAdmin(ReadOnlyAdmin):
    """只读：信用主体只能通过业务功能登记（代码经校验、留痕）。"""

    list_display = ["code", "name", "type"]
    search_fields = ["code", "name"]
    list_filter = ["type"]
    inlines = [PoolInline]


@admin.register(ExpertPoolMembership)
class ExpertPoolMembershipAdmin(admin.ModelAdmin):
    """Which pools an expert belongs to and who manages each (drives the shared expert-ban notice)."""

    list_display = ["subject", "pool", "managing_department"]
    list_filter = ["pool"]
    search_fields = ["subject__name", "subject__code"]
    autocomplete_fields = ["subject"]

    def has_change_permission(self, request, obj=None):
        return False  # add or remove; a change would rewrite history silently

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(actor=request.user, obj=obj.subject, action="credit.pool_added",
              after={"pool": obj.pool, "managing_department": obj.managing_department.code})

    def delete_model(self, request, obj):
        audit(actor=request.user, obj=obj.subject, action="credit.pool_removed",
              before={"pool": obj.pool, "managing_department": obj.managing_department.code})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    """只读：信用记录只能由作出部门通过更正、修复、撤销等功能变更（谁公布谁管理）。"""

    list_display = ["decision_number", "subject", "kind", "department", "decided_on", "status"]
    list_filter = ["kind", "status", "department"]
    search_fields = ["decision_number", "subject__name", "subject__code"]


@admin.register(RedListEntry)
class RedListEntryAdmin(ReadOnlyAdmin):
    list_display = ["subject", "department", "valid_from", "valid_until"]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ["record", "corrected_at", "corrected_by", "reason"]


@admin.register(CreditPush)
class CreditPushAdmin(ReadOnlyAdmin):
    list_display = ["record", "action", "channel", "batch", "created_at", "confirmed_at"]
    list_filter = ["action", "channel"]


@admin.register(ExpertBanNotice)
class ExpertBanNoticeAdmin(ReadOnlyAdmin):
    list_display = ["record", "to_department", "pool", "acknowledged_at", "entered_late"]


@admin.register(EligibilityQuery)
class EligibilityQueryAdmin(ReadOnlyAdmin):
    list_display = ["asked_at", "on_date", "subject_code", "domain", "project_code", "eligible", "asked_by"]
    search_fields = ["subject_code", "project_code"]
