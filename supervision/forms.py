from django import forms

from casework.org.models import Department


class NoticeForm(forms.Form):
    department = forms.ModelChoiceField(label="被督办单位", queryset=Department.objects.none(),
                                        error_messages={"required": "请选择被督办单位",
                                                        "invalid_choice": "请选择本辖区的单位"})
    title = forms.CharField(label="督办事项", max_length=200, error_messages={"required": "请填写督办事项"})
    requirements = forms.CharField(label="督办要求", widget=forms.Textarea(attrs={"rows": 5}), min_length=10,
                                   error_messages={"required": "请填写督办要求",
                                                   "min_length": "督办要求至少10个字"})
    due_on = forms.DateField(label="回复期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                             error_messages={"required": "请填写回复期限",
                                             "invalid": "回复期限应为 YYYY-MM-DD 格式的日期"})
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments
            self.fields["department"].label_from_instance = lambda d: d.name


class CircularForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写标题"})
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 18}),
                           error_messages={"required": "请填写正文"})
