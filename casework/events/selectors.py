"""Reads of the audit trail for the auditor (casework.view_auditlog): search, and export of a period."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from casework.clocks.timing import SHANGHAI
from casework.errors import NotFound
from casework.events.labels import ACTION_LABELS
from casework.events.models import Event

AUDIT_PERM = "casework.view_auditlog"
MAX_EXPORT_DAYS = 366


def require_auditor(user) -> None:
    """What an actor may not know exists is a 404."""
    from casework.privacy import holds_perm

    # An explicit grant (the auditor's duty): a superuser's blanket has_perm does not open the trail (三员分立).
    if not (user and user.is_authenticated and holds_perm(user, AUDIT_PERM)):
        raise NotFound()


class AuditSearchForm(forms.Form):
    object = forms.CharField(label="对象", required=False, max_length=140,
                             help_text="类型:编号，如 referrals.clue:12；或只填类型 referrals.clue")
    person = forms.CharField(label="人员", required=False, max_length=128, help_text="用户名或姓名的一部分")
    action = forms.CharField(label="操作", required=False, max_length=64,
                             help_text="如 clue.received，或中文名称的一部分")
    since = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label="截止日期", required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_object(self):
        value = self.cleaned_data["object"].strip()
        if value and ":" in value:
            otype, _, oid = value.partition(":")
            if not otype.strip() or not oid.strip():
                raise forms.ValidationError("对象须写成 类型:编号，如 referrals.clue:12")
        return value

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        for name in ("since", "until"):
            day = data.get(name)
            if day and not (dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31)):
                self.add_error(name, "日期须在 2000-01-01 至 2100-12-31 之间")
        if since and until and since > until:
            self.add_error("until", "截止日期不能早于起始日期")
        return data


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def pending_count() -> int:
    """Committed events the sequencer has not linked yet (a partial index keeps this a tiny scan)."""
    return Event.objects.filter(chain_seq__isnull=True).count()


def search_events(*, actor, data: dict) -> QuerySet[Event]:
    """Events matching the auditor's filters, newest first (the page shows them in slices)."""
    require_auditor(actor)
    qs = Event.objects.all()
    obj = (data.get("object") or "").strip()
    if obj:
        otype, _, oid = obj.partition(":")
        qs = qs.filter(object_type=otype.strip().lower())
        if oid.strip():
            qs = qs.filter(object_id=oid.strip())
    person = (data.get("person") or "").strip()
    if person:
        users = get_user_model().objects.filter(username=person).values_list("pk", flat=True)
        qs = qs.filter(Q(actor_id__in=list(users)) | Q(actor_label__icontains=person))
    action = (data.get("action") or "").strip()
    if action:
        codes = [code for code, label in ACTION_LABELS.items() if action in label]
        qs = qs.filter(Q(action=action) | Q(action__in=codes))
    if data.get("since"):
        qs = qs.filter(at__gte=_start(data["since"]))
    if data.get("until"):
        qs = qs.filter(at__lt=_start(data["until"] + dt.timedelta(days=1)))
    return qs.order_by("-seq")


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: formula-leading text gets a leading apostrophe (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


EXPORT_HEADER = ["链序号", "序号", "时间", "操作人", "IP", "对象类型", "对象编号", "操作", "操作名称",
                 "变更前", "变更后", "理由", "哈希"]


def export_rows(events):
    import json

    yield [csv_cell(v) for v in EXPORT_HEADER]
    for e in events:
        yield [csv_cell(v) for v in (
            e.chain_seq or "", e.seq, e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"), e.actor_label,
            e.ip or "", e.object_type, e.object_id, e.action, ACTION_LABELS.get(e.action, ""),
            json.dumps(e.before, ensure_ascii=False) if e.before else "",
            json.dumps(e.after, ensure_ascii=False) if e.after else "", e.reason, e.hash or "",
        )]
