from django import forms

from credit.models import CreditRecord, CreditSubject, Domain, Measure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordForm(forms.Form):
    subject_type = forms.ChoiceField(label="主体类型", choices=CreditSubject.Type.choices)
    subject_code = forms.CharField(label="统一社会信用代码/专家编号/证件号码", max_length=32)
    subject_name = forms.CharField(label="主体名称", max_length=200)
    kind = forms.ChoiceField(label="记录类型", choices=CreditRecord.Kind.choices)
    decision_number = forms.CharField(label="决定书文号", max_length=64)
    decided_on = forms.DateField(label="决定日期", widget=DATE)
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    penalty = forms.CharField(label="处罚/处理内容", widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = forms.DateField(label="有效期起", widget=DATE)
    valid_until = forms.DateField(label="有效期至（可选）", required=False, widget=DATE)
    serious = forms.BooleanField(label="严重失信", required=False)
    publishable = forms.BooleanField(label="依法公开", required=False, initial=True)
    measure_kind = forms.ChoiceField(label="惩戒措施", required=False,
                                     choices=[("", "无")] + list(Measure.Kind.choices))
    measure_domains = forms.MultipleChoiceField(label="限制领域（市场禁入覆盖全部领域）", required=False,
                                                choices=Domain.choices, widget=forms.CheckboxSelectMultiple)
    measure_starts_on = forms.DateField(label="措施起始日", required=False, widget=DATE)
    measure_ends_on = forms.DateField(label="措施截止日（可选）", required=False,
                                      widget=DATE)


class EligibilityForm(forms.Form):
    code = forms.CharField(label="统一社会信用代码或专家编号", max_length=32)
    domain = forms.ChoiceField(label="领域", choices=Domain.choices)
    on = forms.DateField(label="日期", required=False, widget=DATE)
