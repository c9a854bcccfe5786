import re

from django import forms

from casework.org.models import Department
from consultations.models import ContactRole, Filing, Meeting, Solicitation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _departments(field, queryset):
    field.queryset = queryset
    field.label_from_instance = lambda d: d.name


def split_people(text: str) -> list[dict]:
    """One person a line: "姓名 职务" or "姓名，职务" (the post is optional)."""
    people = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[,，、\s]+", line, maxsplit=1)
        people.append({"name": parts[0], "post": parts[1].strip() if len(parts) > 1 else ""})
    return people


def people_text(people) -> str:
    return "\n".join(f"{p['name']} {p['post']}".strip() for p in people or [])


class EstablishForm(forms.Form):
    name = forms.CharField(label="机制名称", max_length=128)
    basis = forms.CharField(label="依据（文件名称、文号）", max_length=255, required=False)
    established_on = forms.DateField(label="建立日期", widget=DATE)
    members = forms.ModelMultipleChoiceField(label="成员单位", queryset=Department.objects.none(),
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "请至少选择一个成员单位"})

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["members"], departments if departments is not None else Department.objects.none())


class ContactsForm(forms.Form):
    role = forms.ChoiceField(label="人员", choices=ContactRole.choices)
    name = forms.CharField(label="姓名", max_length=32)
    post = forms.CharField(label="职务", max_length=64)
    phone = forms.CharField(label="联系电话", max_length=32)
    changed_on = forms.DateField(label="调整确定日期（换人时填写；同一人更正电话、职务不必填）", required=False,
                                 widget=DATE)


class NoteChangeForm(forms.Form):
    member = forms.ModelChoiceField(label="成员单位", queryset=None)
    role = forms.ChoiceField(label="人员", choices=ContactRole.choices)
    changed_on = forms.DateField(label="调整确定日期", widget=DATE)
    note = forms.CharField(label="获悉变动的情况", max_length=255)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: m.department.name


class ApplyForm(forms.Form):
    department = forms.ModelChoiceField(label="申请单位", queryset=Department.objects.none())
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}))
    leader_name = forms.CharField(label="责任领导姓名", max_length=32)
    leader_post = forms.CharField(label="责任领导职务", max_length=64)
    leader_phone = forms.CharField(label="责任领导电话", max_length=32)
    liaison_name = forms.CharField(label="联络员姓名", max_length=32)
    liaison_post = forms.CharField(label="联络员职务", max_length=64)
    liaison_phone = forms.CharField(label="联络员电话", max_length=32)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["department"], departments if departments is not None else Department.objects.none())


class MeetingForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput)
    convener = forms.ModelChoiceField(label="发起部门", queryset=Department.objects.none())
    kind = forms.ChoiceField(label="会议类型", choices=Meeting.Kind.choices)
    scope = forms.ChoiceField(label="会议形式", choices=Meeting.Scope.choices)
    title = forms.CharField(label="会议主题", max_length=200)
    purpose = forms.CharField(label="会议内容（需协商解决的问题）", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    agenda = forms.CharField(label="会议议程（每行一个议题）", widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="会议地点", max_length=200)
    starts_at = forms.DateTimeField(label="会议时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    reply_due_on = forms.DateField(label="答复期限", widget=DATE)
    invitees = forms.ModelMultipleChoiceField(label="邀请单位（定期会商会议邀请全体成员单位）", required=False,
                                              queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, conveners=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["convener"], conveners if conveners is not None else Department.objects.none())
        _departments(self.fields["invitees"], members if members is not None else Department.objects.none())


class AgendaForm(forms.Form):
    department = forms.ModelChoiceField(label="提出单位", queryset=Department.objects.none())
    title = forms.CharField(label="议题", max_length=200)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["department"], departments if departments is not None else Department.objects.none())


class ReplyForm(forms.Form):
    attending = forms.TypedChoiceField(label="是否参加", choices=[("1", "参加"), ("0", "不参加")],
                                       coerce=lambda v: v == "1", widget=forms.RadioSelect)
    attendees = forms.CharField(label="参会人员（每行一人：姓名 职务）", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    decline_reason = forms.CharField(label="不参加的理由", required=False, max_length=255)


class RecordForm(forms.Form):
    held_at = forms.DateTimeField(label="召开时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    place = forms.CharField(label="会议地点", max_length=200)
    chair = forms.CharField(label="主持人", max_length=64)
    summary = forms.CharField(label="会议情况（纪要正文，段落之间空一行）", widget=forms.Textarea(attrs={"rows": 5}))
    attendance = forms.CharField(required=False, widget=forms.HiddenInput)  # errors about who came land here


class DecisionForm(forms.Form):
    text = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label="责任单位", queryset=Department.objects.none())
    due_on = forms.DateField(label="完成期限", widget=DATE)
    agenda_item = forms.ModelChoiceField(label="对应议题（可选）", queryset=None, required=False)

    def __init__(self, *args, members=None, agenda=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["owner"], members if members is not None else Department.objects.none())
        self.fields["agenda_item"].queryset = agenda


class EscalationForm(forms.Form):
    matter = forms.CharField(label="未达成一致的事项", max_length=200)
    positions = forms.CharField(label="各方意见", widget=forms.Textarea(attrs={"rows": 4}))
    government = forms.ModelChoiceField(
        label="报送机关（平台内单位；其人员收到报告并记录政府决定）", required=False,
        queryset=Department.objects.filter(active=True).order_by("jurisdiction__code", "code"),
        help_text="留空则按本级人民政府名称报送（该政府尚未开通平台账号时）")


class GovernmentDecisionForm(forms.Form):
    decision = forms.CharField(label="政府决定内容", widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label="决定日期", widget=DATE)
    doc_number = forms.CharField(label="决定文号（可选）", max_length=64, required=False)
    owner = forms.ModelChoiceField(label="责任单位（需落实的填写）", queryset=Department.objects.none(),
                                   required=False)
    due_on = forms.DateField(label="完成期限（需落实的填写）", required=False, widget=DATE)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["owner"], members if members is not None else Department.objects.none())


class ProgressForm(forms.Form):
    note = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    result = forms.CharField(label="落实结果", widget=forms.Textarea(attrs={"rows": 2}))


class ReferForm(forms.Form):
    receivers = forms.ModelMultipleChoiceField(label="接收单位", queryset=Department.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    matter = forms.ChoiceField(label="移送事项")
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    project_code = forms.CharField(label="项目编号", max_length=64)
    project_name = forms.CharField(label="项目名称", max_length=200)
    summary = forms.CharField(label="问题情况", widget=forms.Textarea(attrs={"rows": 3}))
    materials = forms.CharField(label="移送材料（每行一项）", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, departments=None, **kwargs):
        from referrals.models import Matter

        super().__init__(*args, **kwargs)
        _departments(self.fields["receivers"], departments if departments is not None else Department.objects.none())
        self.fields["matter"].choices = Matter.choices


class JointActionForm(forms.Form):
    kind = forms.ChoiceField(label="类型")
    trigger = forms.ChoiceField(label="启动情形")
    trigger_note = forms.CharField(label="情形说明", widget=forms.Textarea(attrs={"rows": 2}))
    title = forms.CharField(label="名称", max_length=200)
    participants = forms.ModelMultipleChoiceField(label="参与部门", queryset=Department.objects.none(),
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, departments=None, kinds=(), triggers=(), **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["participants"], departments if departments is not None else Department.objects.none())
        self.fields["kind"].choices = kinds
        self.fields["trigger"].choices = triggers


class SolicitationForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput)
    initiator = forms.ModelChoiceField(label="起草单位", queryset=Department.objects.none())
    kind = forms.ChoiceField(label="文件类别", choices=Solicitation.Kind.choices)
    title = forms.CharField(label="文件名称", max_length=200)
    draft_text = forms.CharField(label="征求意见稿", widget=forms.Textarea(attrs={"rows": 8}))
    deadline = forms.DateField(label="反馈期限", widget=DATE)
    recipients = forms.ModelMultipleChoiceField(label="征求意见的单位", queryset=Department.objects.none(),
                                                widget=forms.CheckboxSelectMultiple,
                                                error_messages={"required": "请至少选择一个征求意见的单位"})

    def __init__(self, *args, initiators=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        _departments(self.fields["initiator"], initiators if initiators is not None else Department.objects.none())
        _departments(self.fields["recipients"], members if members is not None else Department.objects.none())


class CommentForm(forms.Form):
    no_comments = forms.BooleanField(label="无意见", required=False)
    comments = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FinaliseForm(forms.Form):
    final_text = forms.CharField(label="定稿", widget=forms.Textarea(attrs={"rows": 8}))
    adoption_note = forms.CharField(label="意见采纳情况", widget=forms.Textarea(attrs={"rows": 3}))


class FilingForm(forms.Form):
    kind = forms.ChoiceField(label="方式", choices=Filing.Kind.choices)
    to_department = forms.ModelChoiceField(label="报送单位", queryset=Department.objects.none())
    filed_on = forms.DateField(label="报送日期", widget=DATE)
    doc_number = forms.CharField(label="发布文号", max_length=64)
    note = forms.CharField(label="说明（可选）", max_length=255, required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = departments if departments is not None else Department.objects.none()
        _departments(self.fields["to_department"], departments)


class DecideForm(forms.Form):
    reasons = forms.CharField(label="审核意见（不同意的须说明理由）", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=255)
