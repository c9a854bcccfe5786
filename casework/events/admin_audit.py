"""Every change made in the Django admin joins the audit chain (等保 安全审计: admin changes were silent).

The admin already calls ModelAdmin.log_addition / log_change / log_deletions for every add, edit and delete
(including bulk deletions), inside the same transaction as the change; these wrappers write an audit event
there too, so an admin change and its audit event commit or roll back together."""

from django.contrib.admin import ModelAdmin

from casework.events.services import Entry, record_many


def _label(obj) -> str:
    return str(obj)[:200]


def install() -> None:
    if getattr(ModelAdmin, "_audit_installed", False):
        return
    original_addition, original_change = ModelAdmin.log_addition, ModelAdmin.log_change
    original_deletions = ModelAdmin.log_deletions

    def log_addition(self, request, obj, message):
        entry = original_addition(self, request, obj, message)
        record_many([Entry(obj, "admin.added", after={"object": _label(obj), "change": entry.get_change_message()},
                           reason="系统管理后台新增", actor=request.user)])
        return entry

    def log_change(self, request, obj, message):
        entry = original_change(self, request, obj, message)
        record_many([Entry(obj, "admin.changed", after={"object": _label(obj), "change": entry.get_change_message()},
                           reason="系统管理后台修改", actor=request.user)])
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        entries = original_deletions(self, request, queryset)
        record_many([Entry(obj, "admin.deleted", before={"object": _label(obj)}, reason="系统管理后台删除",
                           actor=request.user) for obj in objects])
        return entries

    ModelAdmin.log_addition, ModelAdmin.log_change = log_addition, log_change
    ModelAdmin.log_deletions = log_deletions
    ModelAdmin._audit_installed = True
