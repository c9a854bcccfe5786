from django import forms

from casework.org.models import SUPERVISING_TYPES, Department
from referrals.models import Matter, SignalType, Transfer


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern from Django's documentation)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ClueForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput)
    external_id = forms.CharField(label="监测系统编号（可选）", max_length=100, required=False)
    project_code = forms.CharField(label="项目编号", max_length=64)
    project_name = forms.CharField(label="项目名称", max_length=200)
    discovered_at = forms.DateTimeField(label="发现时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    signal_type = forms.ChoiceField(label="预警类型", choices=SignalType.choices)
    supervising_department = forms.ModelChoiceField(label="行政监督部门", queryset=Department.objects.none(),
                                                    to_field_name="code")
    summary = forms.CharField(label="线索摘要", max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    bidders = forms.CharField(label="涉及投标人（每行：名称,统一社会信用代码）", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="证据文件（可多选，单个不超过 20 MB）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervising_department"].queryset = (
            Department.objects.filter(active=True, type__in=SUPERVISING_TYPES).order_by("code"))

    def clean_bidders(self):
        rows = []
        for n, line in enumerate((self.cleaned_data.get("bidders") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) > 2:
                raise forms.ValidationError(f"第 {n} 行格式应为“名称,统一社会信用代码”")
            rows.append({"name": parts[0], "uscc": parts[1] if len(parts) > 1 else ""})
        return rows


class TransferForm(forms.Form):
    receivers = forms.ModelMultipleChoiceField(label="接收单位（可多选）", queryset=Department.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    matter = forms.ChoiceField(label="移送事项", choices=Matter.choices)
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.CharField(label="移送材料（每行一项；本单位可查阅的证据文件自动列入并随函移送）",
                                widget=forms.Textarea(attrs={"rows": 4}))
    delivery_method = forms.ChoiceField(label="送达方式", choices=Transfer.Delivery.choices)
    delivered_at = forms.DateTimeField(label="送达时间（纸质/邮件送达必填）", required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, departments=None, returned=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["receivers"]
        field.queryset = departments if departments is not None else Department.objects.none()
        returned = returned or {}
        field.label_from_instance = lambda d: f"{d.name}（曾退回本线索）" if d.pk in returned else d.name


class ForwardForm(forms.Form):
    to_department = forms.ModelChoiceField(label="转送至（其他层级的同系统单位）", queryset=Department.objects.none())
    reasons = forms.CharField(label="转送理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_department"].queryset = departments if departments is not None else Department.objects.none()
