from django.contrib import admin

from credit.models import CreditRecord, CreditSubject, EligibilityQuery, ExpertPoolMembership


class PoolInline(admin.TabularInline):
    model = ExpertPoolMembership
    extra = 1


@admin.register(CreditSubject)
class CreditSubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type"]
    search_fields = ["code", "name"]
    list_filter = ["type"]
    inlines = [PoolInline]  # which expert pools an expert belongs to, and who manages each


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    """Read-only here: records change only through the issuing department's audited services."""

    list_display = ["decision_number", "subject", "kind", "department", "decided_on", "status"]
    list_filter = ["kind", "status", "department"]
    search_fields = ["decision_number", "subject__name", "subject__code"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EligibilityQuery)
class EligibilityQueryAdmin(admin.ModelAdmin):
    list_display = ["asked_at", "subject_code", "domain", "project_code", "eligible", "asked_by"]
    search_fields = ["subject_code", "project_code"]
    readonly_fields = [f.name for f in EligibilityQuery._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who checked whom is evidence; it is never edited or removed
