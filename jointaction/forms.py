from django import forms

from casework.org.models import Department
from jointaction.models import JointAction, PlanVersion, Trigger
from referrals.forms import MultipleFileField
from referrals.models import Matter

TEXTAREA = {"rows": 3}


def department_choices(exclude=()):
    return [(d.pk, d.name) for d in Department.objects.filter(active=True).exclude(pk__in=[x.pk for x in exclude])
            .select_related("jurisdiction").order_by("jurisdiction__code", "code")]


class AssistanceForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput)
    requester = forms.TypedChoiceField(label="请求单位", coerce=int)
    assistant = forms.TypedChoiceField(label="协助办理单位", coerce=int)
    case_name = forms.CharField(label="案件名称", max_length=200)
    # Checked by the service, whose messages say what a 协助办理函 must carry.
    case_summary = forms.CharField(label="案件基本情况", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    matters = forms.CharField(label="需要协助办理的事项", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    reasons = forms.CharField(label="请求协助的理由", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    materials = forms.CharField(label="有关材料（每行一项）", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    files = MultipleFileField(label="上传材料（可多选，单个不超过 20 MB）", required=False)
    reply_by = forms.DateField(label="请求反馈结果期限（可选）", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    delivered_on = forms.DateField(
        label="纸质函件实际送达日期（经平台发送的不填）", required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="已先行邮寄或专人送达纸质函件的，审查和退回期限自实际送达之日起算。",
        error_messages={"invalid": "送达日期格式不正确，请按 YYYY-MM-DD 填写"})

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].choices = [(d.pk, d.name) for d in departments]
        self.fields["assistant"].choices = [("", "请选择")] + department_choices()


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label="退回理由", widget=forms.Textarea(attrs=TEXTAREA))


class ResultForm(forms.Form):
    result = forms.CharField(label="协助办理结果", widget=forms.Textarea(attrs={"rows": 5}))


class ActionForm(forms.Form):
    initiator = forms.TypedChoiceField(label="发起部门", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=JointAction.Kind.choices)
    title = forms.CharField(label="名称", max_length=200)
    trigger = forms.ChoiceField(label="发起情形", choices=Trigger.choices, widget=forms.RadioSelect)
    trigger_note = forms.CharField(label="情形说明（选择“其他”时必填）", required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    participants = forms.TypedMultipleChoiceField(label="邀请参与部门", coerce=int,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiator"].choices = [(d.pk, d.name) for d in departments]
        self.fields["participants"].choices = department_choices()


class PlanForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    purpose = forms.CharField(label="目的", widget=forms.Textarea(attrs={"rows": 2}))
    targets = forms.CharField(label="对象", widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.CharField(label="范围", widget=forms.Textarea(attrs={"rows": 2}))
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))
    schedule = forms.CharField(label="时间", max_length=200)
    method = forms.CharField(label="方式", widget=forms.Textarea(attrs={"rows": 2}))
    steps = forms.CharField(label="步骤", widget=forms.Textarea(attrs={"rows": 3}))
    initiator_staff = forms.CharField(label="发起部门参加人员（每行一人：姓名 职务）",
                                      widget=forms.Textarea(attrs={"rows": 2}))
    reply_by = forms.DateField(label="参与部门答复期限",
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    change_note = forms.CharField(label="修改说明（修订时必填）", required=False, max_length=500)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.duty_fields = []
        for dept in departments:
            name = f"duty_{dept.code}"
            self.fields[name] = forms.CharField(label=f"{dept.name}职责分工", widget=forms.Textarea(attrs={"rows": 2}))
            self.duty_fields.append(self[name])
        self.order_fields(["based_on", *[n for n, _ in PlanVersion.FIELDS],
                           *[f"duty_{d.code}" for d in departments], "initiator_staff", "reply_by", "change_note"])
        self.plan_fields = [self[name] for name, _ in PlanVersion.FIELDS]

    def duties(self) -> dict:
        return {name.removeprefix("duty_"): value for name, value in self.cleaned_data.items()
                if name.startswith("duty_")}


class ReplyForm(forms.Form):
    department = forms.TypedChoiceField(label="答复单位", coerce=int, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label="答复", choices=[("confirm", "确认方案"), ("comment", "提出修改意见")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    staff = forms.CharField(label="选派人员（确认时必填，每行一人：姓名 职务）", required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class FindingForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput)
    department = forms.TypedChoiceField(label="处理部门", coerce=int)
    target = forms.CharField(label="检查对象", max_length=200)
    project_code = forms.CharField(label="项目编号（可选）", max_length=64, required=False)
    description = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 3}))
    handling = forms.ChoiceField(label="处理方式", widget=forms.RadioSelect,
                                 choices=[("own", "属本部门职责，依法处理"), ("refer", "属其他机关职责，一键移送")])
    measures = forms.CharField(label="本部门的处理措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    receiver = forms.TypedChoiceField(label="接收机关", coerce=int, required=False, empty_value=None)
    matter = forms.ChoiceField(label="移送事项", choices=[("", "请选择")] + Matter.choices, required=False)
    legal_basis = forms.CharField(label="法律依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.CharField(label="移送材料（每行一项）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        self.fields["receiver"].choices = [("", "请选择")] + department_choices()


class ConcludeForm(forms.Form):
    summary = forms.CharField(label="总体情况", widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(forms.Form):
    addressee = forms.ModelChoiceField(
        label="报送机关（平台内单位：其人员收到通知并查阅报告和行动）", required=False,
        queryset=Department.objects.filter(active=True).order_by("jurisdiction__code", "code"))
    addressee_name = forms.CharField(label="或：尚未开通平台账号的报送机关名称", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("addressee") and not (data.get("addressee_name") or "").strip():
            self.add_error("addressee", "请选择报送机关")
        return data


class PublishForm(forms.Form):
    public_text = forms.CharField(label="公告正文（自然段之间空一行）", widget=forms.Textarea(attrs={"rows": 6}))
