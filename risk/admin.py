from django.contrib import admin

from risk.models import ScreenProfile, Tender, Warning


@admin.register(ScreenProfile)
class ScreenProfileAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "updated_at")
    readonly_fields = ("defaults",)

    @admin.display(description="默认阈值（未覆盖的按此执行）")
    def defaults(self, obj):
        import json

        from django.utils.html import format_html

        from risk.screens.thresholds import DEFAULTS

        return format_html("<pre>{}</pre>", json.dumps(DEFAULTS, ensure_ascii=False, indent=1))


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    list_display = ("tender_id", "project_name", "trading_type", "supervising_department", "opened_at")
    search_fields = ("tender_id", "project_code", "project_name")
    list_filter = ("trading_type",)

    def has_change_permission(self, request, obj=None):
        return False  # tender data is what the trading centre sent; it is not edited here


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ("screen", "score", "status", "supervising_department", "detected_at")
    list_filter = ("screen", "status")
    readonly_fields = [f.name for f in Warning._meta.fields] + ["tenders"]

    def has_add_permission(self, request):
        return False
