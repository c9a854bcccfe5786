from django import forms

from casework.org.models import Department, Jurisdiction
from complaints.models import Complaint, Grounds, TradingType
from referrals.forms import MultipleFileField

OFFICE = "office:"


class ComplaintForm(forms.Form):
    submission_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    complainant_type = forms.ChoiceField(label="投诉人类型", choices=Complaint.ComplainantType.choices)
    complainant_name = forms.CharField(label="投诉人姓名或单位名称", max_length=200)
    complainant_id_number = forms.CharField(label="居民身份证号码或统一社会信用代码", max_length=32)
    contact_phone = forms.CharField(label="联系电话", max_length=32)
    contact_email = forms.EmailField(label="电子邮箱（可选）", required=False)
    contact_address = forms.CharField(label="联系地址（可选）", max_length=200, required=False)
    receiver = forms.ChoiceField(label="受理部门")
    project_code = forms.CharField(label="项目编号", max_length=64)
    project_name = forms.CharField(label="项目名称", max_length=200)
    trading_type = forms.ChoiceField(label="交易类型", choices=TradingType.choices)
    grounds_category = forms.ChoiceField(label="投诉事由", choices=Grounds.choices)
    grounds = forms.CharField(label="投诉事项、事实和理由", max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    requested_outcome = forms.CharField(label="投诉请求", max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    objection_filed = forms.BooleanField(label="已先向招标人（采购人）提出异议（质疑）", required=False)
    objection_date = forms.DateField(label="异议（质疑）提出日期", required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    objection_reply = forms.CharField(label="异议（质疑）答复情况", required=False, max_length=5000,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label="证明材料（可多选，单个不超过 20 MB）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"{OFFICE}{j.code}", f"不确定：由{j.name}综合监管部门受理") for j in Jurisdiction.objects.all()]
        choices += [(d.code, d.name) for d in Department.objects.filter(active=True).exclude(
            type__in=[Department.Type.TRADING_CENTRE]).order_by("jurisdiction__code", "code")]
        self.fields["receiver"].choices = choices

    def receiver_fields(self) -> dict:
        value = self.cleaned_data["receiver"]
        if value.startswith(OFFICE):
            return {"department": "", "jurisdiction": value[len(OFFICE):]}
        return {"department": value, "jurisdiction": ""}


class OfflineComplaintForm(ComplaintForm):
    channel = forms.ChoiceField(label="投诉方式", choices=[(Complaint.Channel.PAPER, "书面投诉（线下）"),
                                                         (Complaint.Channel.PHONE, "电话投诉（线下）")])
    received_on = forms.DateField(
        label="收到投诉日期（书面投诉的收件日、电话投诉的来电日）", input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="受理期限自收到投诉之日起算，不是自登记之日；补登的，系统记录录入延迟。",
        error_messages={"required": "请填写收到投诉日期", "invalid": "收到投诉日期格式不正确，请按 YYYY-MM-DD 填写"})


class TrackForm(forms.Form):
    tracking_code = forms.CharField(label="查询码", max_length=16)
    secret = forms.CharField(label="查询密码", max_length=16, widget=forms.PasswordInput)


class ReportForm(forms.Form):
    """An anonymous report (举报): no identity is asked for."""

    submission_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    receiver = forms.ChoiceField(label="举报受理部门")
    project_code = forms.CharField(label="项目编号（可选）", max_length=64, required=False)
    project_name = forms.CharField(label="涉及的项目名称", max_length=200)
    summary = forms.CharField(label="举报的事实和线索", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = ComplaintForm().fields["receiver"].choices
