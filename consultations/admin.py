from django.contrib import admin

from casework.admin import MaskedText, NoCaseContent
from consultations.models import Decision, Mechanism, Meeting, Member, Solicitation


class ReadOnly(NoCaseContent, MaskedText, admin.ModelAdmin):
    """Read-only here: the mechanism changes only through its audited services (the pages and the API)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["department", "is_lead", "leader_name", "leader_phone", "liaison_name", "liaison_phone"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Mechanism)
class MechanismAdmin(ReadOnly):
    list_display = ["name", "jurisdiction", "lead", "established_on"]
    inlines = [MemberInline]


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ["reference", "title", "kind", "convener", "starts_at", "status"]
    masked_fields = ("purpose", "summary")
    list_filter = ["kind", "status"]
    search_fields = ["reference", "title"]


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ["reference", "owner", "due_on", "status"]
    list_filter = ["status", "owner"]
    search_fields = ["reference"]  # not the text: a search would confirm the personal data it masks
    masked_fields = ("text", "result")


@admin.register(Solicitation)
class SolicitationAdmin(ReadOnly):
    list_display = ["reference", "title", "initiator", "deadline", "status"]
    list_filter = ["status", "kind"]
    masked_fields = ("draft_text", "final_text", "adoption_note")
