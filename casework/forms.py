from django import forms


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=255, widget=forms.TextInput)


class ResultForm(forms.Form):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reasons = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 3}),
                              min_length=10, error_messages={
                                  "min_length": "退回须书面说明理由（不少于10个字）"})


class CalendarImportForm(forms.Form):
    file = forms.FileField(label="文件（.json 或 .csv）")
    year = forms.IntegerField(label="年份", min_value=1990, max_value=2099, required=False,
                              help_text="CSV 文件必填；JSON 文件可在文件中给出")
    source = forms.CharField(label="依据（通知文号）", max_length=255, required=False,
                             help_text="CSV 文件必填；JSON 文件可在文件中给出")


class RuleCorrectionForm(forms.Form):
    reason = forms.CharField(label="更正理由", max_length=255)
    clocks = forms.MultipleChoiceField(label="要更正的时钟", widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "请至少选择一个时钟"})


def add_domain_error(form, exc, aliases: dict[str, str] | None = None) -> None:
    """Show a service's DomainError on a form: each named field at its input (a nested name such as
    `bidders.0.uscc` at its top field; `aliases` maps service names to form field names), any other
    message above the form."""
    aliases = aliases or {}
    for field, msgs in exc.field_errors.items():
        top = field.split(".")[0]
        name = aliases.get(field) or aliases.get(top) or top
        form.add_error(name if name in form.fields else None, msgs[0])
    if not exc.field_errors:
        form.add_error(None, exc.message)


def posted_date(data, field: str, label: str, *, required: bool = True):
    """A date typed into a form (YYYY-MM-DD), or a clear message naming the field."""
    import datetime as dt

    from casework.errors import DomainError

    raw = (data.get(field) or "").strip()
    if not raw:
        if required:
            raise DomainError.for_field(field, f"请填写{label}")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError.for_field(field, f"{label}格式不正确，请按 YYYY-MM-DD 填写") from None
