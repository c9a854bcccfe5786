"""The auditor's pages (/audit/): search the trail, verify the chain, export a period. Gated by the
permission casework.view_auditlog; anyone else gets a 404."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.events.models import AuditHead
from casework.events.retention import retention_days
from casework.events.selectors import (
    MAX_EXPORT_DAYS,
    AuditSearchForm,
    export_rows,
    pending_count,
    require_auditor,
    search_events,
)
from casework.events.services import record, verify_chain
from casework.exports import SafeWriter


@login_required
def audit_log(request):
    require_auditor(request.user)
    form = AuditSearchForm(request.GET or None)
    events, page = None, None
    if form.is_bound and form.is_valid():
        events = search_events(actor=request.user, data=form.cleaned_data)
    elif not form.is_bound:
        events = search_events(actor=request.user, data={})
    if events is not None:
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "casework/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode(), "retention_days": retention_days(),
        "max_export_days": MAX_EXPORT_DAYS, "pending": pending_count(),
    })


@login_required
@require_POST
def audit_verify(request):
    require_auditor(request.user)
    result = verify_chain()
    record(actor=request.user, obj=AuditHead.objects.get_or_create(pk=1)[0], action="audit.verified",
           after={"ok": result.ok, "checked": result.checked, "broken_seq": result.broken_seq})
    for note in result.notes:
        messages.warning(request, note)
    if result.ok:
        tail = f"，另有 {result.pending} 条刚提交的事件等待入链" if result.pending else ""
        base = f"（链序号 {result.base_seq} 及以前已按保存期清理，从签名锚点起校验）" if result.base_seq else ""
        messages.success(request, f"审计链完好：已校验 {result.checked} 条事件{base}，"
                                  f"对照库外签名检查点 {result.checkpoints} 个{tail}。")
    else:
        messages.error(request, f"审计链在第 {result.broken_seq} 条事件处断开：{result.problem}")
    return redirect("audit:log")


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_export(request):
    require_auditor(request.user)
    form = AuditSearchForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    if valid and not (data.get("since") and data.get("until")):
        form.add_error("since", "导出须指定起始日期和截止日期")
        valid = False
    if valid and (data["until"] - data["since"]).days >= MAX_EXPORT_DAYS:
        form.add_error("until", f"一次最多导出 {MAX_EXPORT_DAYS} 天")
        valid = False
    if not valid:
        return render(request, "casework/audit_log.html", {
            "form": form, "page": None, "query": "", "retention_days": retention_days(),
            "max_export_days": MAX_EXPORT_DAYS,
        }, status=400)
    events = search_events(actor=request.user, data=data).order_by("seq")
    record(actor=request.user, obj=AuditHead.objects.get_or_create(pk=1)[0], action="audit.exported",
           after={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items() if v})
    writer = SafeWriter(_Echo())
    rows = (writer.writerow(row) for row in export_rows(events.iterator(chunk_size=2000)))
    response = StreamingHttpResponse(_with_bom(rows), content_type="text/csv; charset=utf-8")
    name = f"audit-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _with_bom(rows):
    yield "\ufeff"  # so spreadsheet programs read the Chinese as UTF-8
    yield from rows
