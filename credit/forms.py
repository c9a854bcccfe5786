from django import forms

from credit.models import CreditRecord, CreditSubject, Domain, Measure, PenaltyCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CODE_LABEL = "统一社会信用代码/专家编号/居民身份证号码"


class RecordForm(forms.Form):
    subject_type = forms.ChoiceField(label="主体类型", choices=CreditSubject.Type.choices)
    subject_code = forms.CharField(label=CODE_LABEL, max_length=32)
    subject_name = forms.CharField(label="主体名称", max_length=200)
    kind = forms.ChoiceField(label="记录类型", choices=CreditRecord.Kind.choices)
    decision_number = forms.CharField(label="决定书文号", max_length=64)
    decided_on = forms.DateField(label="决定日期（处罚或不良行为记录作出之日）", widget=DATE)
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    penalty = forms.CharField(label="处罚/处理内容", widget=forms.Textarea(attrs={"rows": 2}))
    penalty_category = forms.ChoiceField(label="处罚类别", required=False,
                                         choices=[("", "（不良行为记录可不填）")] + list(PenaltyCategory.choices))
    fine_amount = forms.DecimalField(label="罚款金额（元，可选）", required=False, min_value=0, max_digits=14,
                                     decimal_places=2)
    valid_from = forms.DateField(label="公示期起", widget=DATE)
    valid_until = forms.DateField(label="公示期至（可选）", required=False, widget=DATE)
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
    code = forms.CharField(label=CODE_LABEL, max_length=32)
    domain = forms.ChoiceField(label="领域", choices=Domain.choices)
    on = forms.DateField(label="核查日期（默认当日）", required=False, widget=DATE)


class CorrectionForm(forms.Form):
    """Only the fields the department fills in are corrected; the rest stay as they are."""

    facts = forms.CharField(label="违法事实", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label="法律依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    penalty = forms.CharField(label="处罚/处理内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    penalty_category = forms.ChoiceField(label="处罚类别", required=False,
                                         choices=[("", "（不变）")] + list(PenaltyCategory.choices))
    fine_amount = forms.DecimalField(label="罚款金额（元）", required=False, min_value=0, max_digits=14,
                                     decimal_places=2)
    valid_until = forms.DateField(label="公示期至", required=False, widget=DATE)
    measures_ends_on = forms.DateField(label="措施截止日", required=False, widget=DATE)
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self, rec: CreditRecord) -> dict:
        d = self.cleaned_data
        out = {}
        for k in ("facts", "legal_basis", "penalty", "penalty_category"):
            if d.get(k):
                out[k] = d[k]
        for k in ("fine_amount", "valid_until", "measures_ends_on"):
            if d.get(k) is not None:
                out[k] = d[k]
        return out


class RedListForm(forms.Form):
    subject_type = forms.ChoiceField(label="主体类型", choices=CreditSubject.Type.choices)
    subject_code = forms.CharField(label=CODE_LABEL, max_length=32)
    subject_name = forms.CharField(label="主体名称", max_length=200)
    reason = forms.CharField(label="列入理由", widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label="列入依据（文件、评价结果）", widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = forms.DateField(label="有效期起", widget=DATE)
    valid_until = forms.DateField(label="有效期至（可选）", required=False, widget=DATE)


class ExportFilterForm(forms.Form):
    batch = forms.CharField(label="报送批次", required=False, max_length=32)
    since = forms.DateField(label="决定日期自", required=False, widget=DATE)
    until = forms.DateField(label="决定日期至", required=False, widget=DATE)
    pending = forms.BooleanField(label="仅未报送", required=False)
