from django import forms

from casework.org.models import Department
from casework.trading import TradingField
from inspections.models import Item, RiskLevel, Speciality, Target

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _OwnDepartment(forms.Form):
    """Forms acting for one of the user's departments: the choice is shown only when there are several."""

    department = DepartmentChoice(label="以哪个单位名义", queryset=Department.objects.none())

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        ids = [d.pk for d in departments]
        self.fields["department"].queryset = Department.objects.filter(pk__in=ids).order_by("code")
        if len(ids) == 1:
            self.fields["department"].initial = ids[0]
            self.fields["department"].widget = forms.HiddenInput()


class InspectorForm(_OwnDepartment):
    name = forms.CharField(label="姓名", max_length=50)
    certificate_number = forms.CharField(label="执法证号", max_length=32)
    certificate_expires_on = forms.DateField(label="执法证有效期至", **DATE)
    specialities = forms.MultipleChoiceField(label="业务专长", choices=Speciality.choices,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "请至少选择一项业务专长"})
    active = forms.BooleanField(label="在库（可被抽取）", required=False, initial=True)
    declared_links = forms.CharField(
        label="申报关联企业（每行：名称,统一社会信用代码；本人或近亲属任职、持股等利害关系）", required=False,
        widget=forms.Textarea(attrs={"rows": 3}))

    def clean_declared_links(self):
        rows = []
        for n, line in enumerate((self.cleaned_data.get("declared_links") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) > 2:
                raise forms.ValidationError(f"第 {n} 行格式应为“名称,统一社会信用代码”")
            rows.append({"name": parts[0], "uscc": parts[1] if len(parts) > 1 else ""})
        return rows


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV 文件（UTF-8，首行为列名）")


class InspectorImportForm(_OwnDepartment, ImportForm):
    pass


class ProjectForm(forms.Form):
    project_code = forms.CharField(label="项目编号", max_length=64)
    name = forms.CharField(label="项目名称", max_length=200)
    trading_field = forms.ChoiceField(label="交易领域", choices=TradingField.choices)
    supervising_department = DepartmentChoice(label="行政监督部门", queryset=Department.objects.none(),
                                              to_field_name="code")
    tender_completed_on = forms.DateField(label="完成招投标日期", **DATE)
    contract_amount = forms.DecimalField(label="中标金额（万元，可选）", required=False, decimal_places=2, min_value=0)
    risk_level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    risk_reason = forms.CharField(label="风险等级依据（可选）", max_length=200, required=False)
    tenderer_name = forms.CharField(label="招标人", max_length=200)
    tenderer_uscc = forms.CharField(label="招标人统一社会信用代码", max_length=18)
    winner_name = forms.CharField(label="中标人", max_length=200)
    winner_uscc = forms.CharField(label="中标人统一社会信用代码", max_length=18)
    agency_name = forms.CharField(label="招标代理机构（可选）", max_length=200, required=False)
    agency_uscc = forms.CharField(label="招标代理机构统一社会信用代码", max_length=18, required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervising_department"].queryset = departments if departments is not None else \
            Department.objects.none()


class RiskForm(forms.Form):
    risk_level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    reason = forms.CharField(label="调整理由", max_length=200)


class ItemForm(_OwnDepartment):
    title = forms.CharField(label="抽查事项", max_length=200)
    trading_field = forms.ChoiceField(label="交易领域", choices=TradingField.choices)
    method = forms.ChoiceField(label="检查方式", choices=Item.Method.choices)
    content = forms.CharField(label="检查内容", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="检查依据", widget=forms.Textarea(attrs={"rows": 2}))


TEAM_ROWS = 3


class PlanForm(_OwnDepartment):
    submission_key = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label="计划名称", max_length=200)
    participants = forms.ModelMultipleChoiceField(label="参与单位（联合抽查时选择；执法人员从牵头和参与单位中抽取）",
                                                  queryset=Department.objects.none(), required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    items = forms.ModelMultipleChoiceField(label="抽查事项", queryset=Item.objects.none(),
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "请至少选择一项抽查事项"})
    trading_fields = forms.MultipleChoiceField(label="对象范围：交易领域（不选为全部）", choices=TradingField.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple)
    scope_departments = forms.ModelMultipleChoiceField(
        label="对象范围：行政监督部门（不选为本行政区域全部）", queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    scope_from = forms.DateField(label="对象范围：完成招投标日期起", **DATE)
    scope_to = forms.DateField(label="对象范围：完成招投标日期止", **DATE)
    ratio_high = forms.DecimalField(label="高风险抽查比例（%）", min_value=0, max_value=100, decimal_places=2)
    ratio_medium = forms.DecimalField(label="中风险抽查比例（%）", min_value=0, max_value=100, decimal_places=2)
    ratio_low = forms.DecimalField(label="低风险抽查比例（%）", min_value=0, max_value=100, decimal_places=2)
    starts_on = forms.DateField(label="检查开始日期", **DATE)
    ends_on = forms.DateField(label="计划结束日期", **DATE)

    def __init__(self, *args, departments=(), items=None, others=None, scope=None, **kwargs):
        super().__init__(*args, departments=departments, **kwargs)
        self.fields["participants"].queryset = others if others is not None else Department.objects.none()
        self.fields["scope_departments"].queryset = scope if scope is not None else Department.objects.none()
        self.fields["items"].queryset = items if items is not None else Item.objects.none()
        blank = [("", "（不需要）")]
        for n in range(1, TEAM_ROWS + 1):
            self.fields[f"team_{n}_speciality"] = forms.ChoiceField(
                label=f"每个对象的执法人员 · 专长{n}", choices=blank + list(Speciality.choices), required=n == 1,
                error_messages={"required": "请至少指定一项专长"})
            self.fields[f"team_{n}_count"] = forms.IntegerField(label="人数", min_value=1, max_value=10,
                                                                required=False, initial=2 if n == 1 else None)

    @property
    def team_rows(self):
        return [(self[f"team_{n}_speciality"], self[f"team_{n}_count"]) for n in range(1, TEAM_ROWS + 1)]

    @property
    def plain_fields(self):
        return [f for f in self if not f.name.startswith("team_")]

    def team(self) -> list[dict]:
        rows = []
        for n in range(1, TEAM_ROWS + 1):
            speciality = self.cleaned_data.get(f"team_{n}_speciality")
            count = self.cleaned_data.get(f"team_{n}_count")
            if speciality:
                rows.append({"speciality": speciality, "count": count})
        return rows

    def clean(self):
        data = super().clean()
        for n in range(1, TEAM_ROWS + 1):
            if data.get(f"team_{n}_speciality") and not data.get(f"team_{n}_count"):
                self.add_error(f"team_{n}_count", "请填写该专长的抽取人数")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="重新抽取理由（将与原抽取记录一并保留）", min_length=10,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"min_length": "重新抽取须写明理由（不少于10个字）"})


class EndForm(forms.Form):
    ended_at = forms.DateTimeField(label="检查结束时间（不填为现在）", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label="检查结果", choices=[("", "请选择")] + list(Target.Outcome.choices))
    findings = forms.CharField(label="发现的问题（将公开）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label="后续处理（整改期限、立案、移送等）", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    record = forms.CharField(label="抽取记录（JSON，含 seed、inputs、result）",
                             widget=forms.Textarea(attrs={"rows": 8}))
    seed = forms.CharField(label="改用其他种子试算（可选，不改变记录）", required=False, max_length=128)
