"""Administration: the calendar, rule profiles (versioned edits, explicit corrections),
departments, staff roles and API clients."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from guardian.admin import GuardedModelAdmin

from casework import privacy
from casework.attachments.models import Attachment
from casework.calendar.models import CalendarDay, CalendarYear
from casework.calendar.services import load_year, parse_calendar_file, unload_year, year_edited
from casework.clocks.models import Clock
from casework.clocks.services import apply_rule_correction, preview_rule_correction
from casework.clocks.timing import format_due
from casework.errors import DomainError
from casework.events.models import Event
from casework.events.services import record
from casework.forms import CalendarImportForm, RuleCorrectionForm, add_domain_error
from casework.handoffs.models import Handoff
from casework.org.models import API_SCOPES, ApiClient, Department, Jurisdiction, Membership
from casework.org.services import create_api_client, ensure_department, revoke_api_client, rotate_api_client_token
from casework.rules.models import Rule, RuleProfile, RuleVersion, Source, StartsOn, Unit
from casework.rules.services import update_rule

admin.site.site_header = "公共资源交易协同监管平台 · 系统管理"
admin.site.site_title = "系统管理"


class NoCaseContent:
    """Case content (hand-overs, clocks, letters, the audit trail) is no administrator's business, a Django
    superuser's included: these lists open only with an explicit grant of the model's view permission (the auditor
    holds the audit trail's); a superuser's blanket permission does not count (casework.privacy.holds_perm)."""

    def has_view_permission(self, request, obj=None):
        return privacy.holds_perm(request.user, f"{self.opts.app_label}.view_{self.opts.model_name}")

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class MaskedText:
    """Free-text fields shown on the admin's change page only masked (casework.privacy.mask_for): the admin is
    no case role, so nobody reads personal data here, whatever they hold. List them in `masked_fields`."""

    masked_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.masked_fields:
            label = self.model._meta.get_field(name).verbose_name

            def show(obj, name=name):
                return privacy.mask_for(obj, getattr(obj, name, "") or "")

            show.short_description = f"{label}（已隐去个人信息）"
            setattr(self, f"masked_{name}", show)

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *self.masked_fields]

    def get_readonly_fields(self, request, obj=None):
        base = [f for f in super().get_readonly_fields(request, obj) if f not in self.masked_fields]
        return [*base, *(f"masked_{name}" for name in self.masked_fields)]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "loaded", "source", "loaded_at"]
    fields = ["year", "source"]
    readonly_fields: list[str] = []
    inlines = [CalendarDayInline]
    change_list_template = "admin/casework/calendaryear/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj else []

    # Deleting a year would silently leave clocks computed on it: "deleting" unloads it instead,
    # recomputing and marking its clocks provisional again, audited.
    def delete_model(self, request, obj):
        moved = unload_year(actor=request.user, cal_year=obj)
        self.message_user(request, f"{obj.year} 年已撤下（不再作为已载入年份）；{moved} 个时钟已重新计算并标记为暂定。")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        return redirect("admin:casework_calendaryear_changelist")

    def get_actions(self, request):
        return {}  # no bulk "delete selected": unloading is one audited year at a time

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        moved = year_edited(actor=request.user, cal_year=form.instance)
        self.message_user(request, f"{form.instance.year} 年已保存并标记为已载入；重新计算了 {moved} 个时钟。")

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view),
                     name="casework_calendaryear_import")] + super().get_urls()

    def import_view(self, request):
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                year, source, days = parse_calendar_file(upload.read(), upload.name)
                year = form.cleaned_data["year"] or year
                source = form.cleaned_data["source"] or source
                if year is None:
                    raise DomainError.for_field("year", "请填写年份（CSV 文件不含年份）")
                load_year(actor=request.user, year=year, source=source, days=days)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已导入 {year} 年工作日历（{len(days)} 天），相关时钟已重新计算。")
                return redirect("admin:casework_calendaryear_changelist")
        return render(request, "admin/casework/calendaryear/import.html",
                      {**self.admin_site.each_context(request), "form": form, "title": "导入工作日历"})


class RuleEditForm(forms.ModelForm):
    amount = forms.IntegerField(label="时限", min_value=1, required=False,
                                help_text="留空表示不设固定时限")
    unit = forms.ChoiceField(label="单位", choices=Unit.choices)
    starts_on = forms.ChoiceField(label="起算", choices=StartsOn.choices)
    source = forms.ChoiceField(label="来源", choices=Source.choices)
    clause = forms.CharField(label="条款", max_length=128, required=False)
    note = forms.CharField(label="说明", max_length=255, required=False)
    change_reason = forms.CharField(label="修改原因", max_length=255,
                                    help_text="每次修改生成新版本；已在计时的时钟仍按原版本，除非另行更正")

    class Meta:
        model = Rule
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current_version if self.instance.pk else None
        if current:
            for name in ("amount", "unit", "starts_on", "source", "clause", "note"):
                self.fields[name].initial = getattr(current, name)


class RuleVersionInline(admin.TabularInline):
    model = RuleVersion
    extra = 0
    can_delete = False
    fields = ["number", "amount", "unit", "starts_on", "source", "clause", "note", "change_reason",
              "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleEditForm
    list_display = ["name", "key", "profile", "limit", "citation", "version"]
    list_filter = ["profile"]
    search_fields = ["name", "key"]
    inlines = [RuleVersionInline]
    readonly_fields = ["key", "profile"]

    @admin.display(description="时限")
    def limit(self, obj):
        return obj.current_version.limit_display

    @admin.display(description="依据")
    def citation(self, obj):
        return obj.current_version.citation

    @admin.display(description="版本")
    def version(self, obj):
        return obj.current_version.number

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        terms = {k: form.cleaned_data[k] for k in ("amount", "unit", "starts_on", "source", "clause", "note")}
        if "name" in form.changed_data:
            obj.save(update_fields=["name"])
        try:
            update_rule(actor=request.user, rule=obj, reason=form.cleaned_data["change_reason"], **terms)
        except DomainError as exc:
            if exc.message != "规则内容未改变" or "name" not in form.changed_data:
                messages.error(request, exc.message)
                return
        stale = len(preview_rule_correction(obj))
        if stale:
            url = reverse("admin:casework_rule_correct", args=[obj.pk])
            messages.warning(request, f"有 {stale} 个计时中的时钟仍按旧版本计算。"
                                      f"如需按新版本更正，请到“预览更正”：{url}")

    def get_urls(self):
        return [path("<int:pk>/correct/", self.admin_site.admin_view(self.correct_view),
                     name="casework_rule_correct")] + super().get_urls()

    def correct_view(self, request, pk):
        rule = get_object_or_404(Rule, pk=pk)
        rows = preview_rule_correction(rule)
        form = RuleCorrectionForm(request.POST or None)
        form.fields["clocks"].choices = [(str(r["clock"].pk), str(r["clock"].pk)) for r in rows]
        if request.method == "POST" and form.is_valid():
            try:
                n = apply_rule_correction(actor=request.user, rule=rule, reason=form.cleaned_data["reason"],
                                          clock_ids=[int(i) for i in form.cleaned_data["clocks"]])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已按第 {rule.current_version.number} 版更正 {n} 个时钟。")
                return redirect("admin:casework_rule_change", pk)
        return render(request, "admin/casework/rule/correct.html", {
            **self.admin_site.each_context(request), "rule": rule, "rows": rows, "form": form,
            "title": f"预览更正：{rule}"})


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    fields = ["key", "name", "current_version"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RuleProfile)
class RuleProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "preset", "reminder_working_days",
                    "supervision_after_working_days", "circular_after_working_days"]
    inlines = [RuleInline]


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "jurisdiction", "is_supervision_office", "active"]
    list_filter = ["type", "jurisdiction"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []  # the stable code keys the access group and every reference

    def save_model(self, request, obj, form, change):
        """Through the org service, which creates the department's access group (adding one here crashed on
        the missing group) and writes the audit event."""
        data = form.cleaned_data
        code = obj.code if change else data["code"]
        dept = ensure_department(actor=request.user, code=code, name=data["name"], type=data["type"],
                                 jurisdiction=data["jurisdiction"], short_name=data.get("short_name", ""),
                                 parent=data.get("parent"), is_supervision_office=data.get("is_supervision_office",
                                                                                         False))
        rest = {k: data[k] for k in ("doc_abbr", "active") if k in data and getattr(dept, k) != data[k]}
        if rest:
            before = {k: getattr(dept, k) for k in rest}
            for k, v in rest.items():
                setattr(dept, k, v)
            dept.save(update_fields=list(rest))
            record(actor=request.user, obj=dept, action="department.updated", before=before, after=rest)
        obj.pk, obj.group_id = dept.pk, dept.group_id


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "department", "role"]

    def clean(self):
        from casework.org.models import ADMIN_DUTIES

        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user and role:
            others = set(Membership.objects.filter(user=user).exclude(pk=self.instance.pk)
                         .values_list("role", flat=True))
            if (role in ADMIN_DUTIES and others - {role}) or (role not in ADMIN_DUTIES and others & ADMIN_DUTIES):
                raise forms.ValidationError("三员分立：管理职责不能与其他管理职责或办案角色由同一人担任")
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles are granted by the security administrator, through the same service as everywhere (audited)."""

    form = MembershipForm
    list_display = ["user", "department", "role"]
    list_filter = ["role", "department"]

    def save_model(self, request, obj, form, change):
        from casework.org.services import add_membership

        try:
            saved = add_membership(actor=request.user, user=obj.user, department=obj.department, role=obj.role)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None):
        return False  # a role is granted or withdrawn, never edited into another one


class ApiClientCreateForm(forms.Form):
    name = forms.CharField(label="名称", max_length=64, help_text="字母、数字、点、下划线或连字符，如 ly-monitor")
    department = forms.ModelChoiceField(label="所属单位", queryset=Department.objects.filter(active=True))
    scopes = forms.MultipleChoiceField(label="权限范围（不选表示不限）", required=False,
                                       choices=list(API_SCOPES.items()), widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label="有效期至（可选，如 2027-06-30 23:59）", required=False)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Tokens are created and rotated here (shown once on the next page) or with `manage.py apiclient`;
    every creation, rotation and revocation is audited with the administrator who did it."""

    list_display = ["name", "department", "key_prefix", "scopes", "expires_at", "created_at", "last_used_at",
                    "revoked_at"]
    readonly_fields = ["name", "department", "key_prefix", "scopes", "expires_at", "created_at", "last_used_at",
                       "revoked_at"]
    actions = ["rotate_tokens", "revoke_tokens"]

    def has_change_permission(self, request, obj=None):
        return False  # through the audited actions only

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        form = ApiClientCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                client, token = create_api_client(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return self._show_tokens(request, [(client, token)], "已创建接口客户端")
        return render(request, "admin/casework/apiclient/create.html",
                      {**self.admin_site.each_context(request), "form": form, "title": "新建接口客户端",
                       "opts": self.model._meta})

    @admin.action(description="更换所选客户端的令牌（旧令牌立即失效）")
    def rotate_tokens(self, request, queryset):
        pairs = [(client, rotate_api_client_token(actor=request.user, client=client)) for client in queryset]
        return self._show_tokens(request, pairs, "已更换令牌")

    @admin.action(description="停用所选客户端的令牌")
    def revoke_tokens(self, request, queryset):
        for client in queryset:
            revoke_api_client(actor=request.user, client=client)
        self.message_user(request, f"已停用 {queryset.count()} 个接口客户端的令牌。")

    def _show_tokens(self, request, pairs, title):
        response = render(request, "admin/casework/apiclient/token.html",
                          {**self.admin_site.each_context(request), "pairs": pairs, "title": title,
                           "opts": self.model._meta})
        response["Cache-Control"] = "no-store"
        return response


@admin.register(Clock)
class ClockAdmin(NoCaseContent, admin.ModelAdmin):
    list_display = ["label", "department", "state", "due_display", "provisional", "rule_version"]
    list_filter = ["state", "provisional"]
    exclude = ["due_at"]
    readonly_fields = ["due_display"]

    @admin.display(description="截止时间", ordering="due_at")
    def due_display(self, obj):
        return format_due(obj.due_at)

    def has_change_permission(self, request, obj=None):
        return False  # clocks change only through audited services

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionLabelFilter(admin.AllValuesFieldListFilter):
    """Filter by action, listed by its Chinese label (e.g. 规则已修改) rather than the code (rules.rule_updated)."""

    def choices(self, changelist):
        from casework.events.labels import action_label

        for choice in super().choices(changelist):
            if choice.get("display") not in (None, "") and choice["display"] != self.empty_value_display:
                choice = {**choice, "display": action_label(str(choice["display"]))}
            yield choice


@admin.register(Event)
class EventAdmin(NoCaseContent, admin.ModelAdmin):
    """Read-only: the database refuses edits and deletions too; auditors use /audit/ (search, verify, export)."""

    list_display = ["seq", "chain_seq", "at", "actor_label", "action_display", "object_type", "object_id"]
    list_filter = [("action", ActionLabelFilter)]
    readonly_fields = [f.name for f in Event._meta.fields]

    @admin.display(description="操作", ordering="action")
    def action_display(self, obj):
        from casework.events.labels import action_label

        return action_label(obj.action)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handoff)
class HandoffAdmin(NoCaseContent, MaskedText, GuardedModelAdmin):
    list_display = ["reference", "kind", "title", "sender", "receiver", "state"]
    masked_fields = ("description", "result")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a hand-over's history is in the audit chain; it changes only through its services


# --- Official letters: read-only; a letter is issued only through casework.letters.services ----------------
from casework.letters.models import Letter  # noqa: E402  (kept beside its registration)


@admin.register(Letter)
class LetterAdmin(NoCaseContent, admin.ModelAdmin):
    """The register of issued letters. The admin is no case role: a letter that names a protected person shows
    its addressee and body masked (casework.privacy), and the PDF opens only on the case pages to those cleared."""

    list_display = ["doc_number", "kind", "title", "issuer", "addressee_display", "issued_at"]
    list_filter = ["kind", "year"]
    search_fields = ["doc_number", "title"]
    readonly_fields = [f.name for f in Letter._meta.fields if f.name not in ("addressee_name", "body", "file",
                                                                           "reasons")] + [
        "masked_addressee", "masked_body", "masked_reasons"]
    exclude = ["addressee_name", "body", "file", "reasons", "readers"]

    @admin.display(description="主送机关")
    def addressee_display(self, obj):
        return self.masked_addressee(obj)

    @admin.display(description="主送机关（名称）")
    def masked_addressee(self, obj):
        if obj.addressee_id and not obj.addressee_name:
            return obj.addressee.name
        return privacy.mask_name(obj.addressee_name) if obj.restricted_to_perm else privacy.mask_for(
            obj, obj.addressee_name)

    @admin.display(description="正文（已隐去个人信息）")
    def masked_body(self, obj):
        return privacy.mask_for(obj, obj.body)

    @admin.display(description="退回理由（已隐去个人信息）")
    def masked_reasons(self, obj):
        return "；".join(privacy.mask_for(obj, r) for r in obj.reasons or [])

    def has_change_permission(self, request, obj=None):
        return False  # the stored PDF is the record

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(NoCaseContent, admin.ModelAdmin):
    """The record of every kept file (read only). The bytes open only for the parties, through the portal's
    pages, never from the admin: an administrator is not a party to a case."""

    list_display = ["name", "purpose", "department", "size", "sha256", "uploaded_at"]
    list_filter = ["purpose"]
    search_fields = ["name", "sha256"]
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Users: 三员分立. The system administrator keeps accounts; the security administrator grants roles and
# permissions; nobody becomes a superuser through the admin. ------------------------------------------------
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin  # noqa: E402

from casework.accounts import admin as account_admin  # noqa: E402,F401  (login lockouts)
from casework.accounts import services as account_services  # noqa: E402

User = get_user_model()


class PortalUserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [(None, {"fields": ("username", "password")}),
                     ("个人信息", {"fields": ("first_name", "last_name", "email")}),
                     ("状态", {"fields": ("is_active", "last_login", "date_joined")})]
        if request.user.has_perm("auth.change_group"):  # the security administrator
            fieldsets.append(("角色与权限（安全管理员）", {"fields": ("is_staff", "groups", "user_permissions")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined", "is_superuser"]

    # Accounts hardening: a user created here gets an initial password they must change at first login.
    actions = ["require_password_change", "unlock_login"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            account_services.require_password_change(actor=request.user, user=obj)

    @admin.action(description="要求下次登录时修改密码")
    def require_password_change(self, request, queryset):
        for user in queryset:
            account_services.require_password_change(actor=request.user, user=user)
        self.message_user(request, f"已要求 {queryset.count()} 个用户下次登录时修改密码。")

    @admin.action(description="解除登录锁定")
    def unlock_login(self, request, queryset):
        for user in queryset:
            account_services.unlock(actor=request.user, username=user.username)
        self.message_user(request, f"已解除 {queryset.count()} 个用户的登录锁定。")


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
