"""Pages for the periodic complaint statistics: the report with its charts (Apache ECharts), and its XLSX."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework.api_limits import EARLIEST_YEAR, LATEST_YEAR
from casework.errors import DomainError
from complaints.statistics import complaint_statistics, statistics_xlsx

MAX_SPAN_DAYS = 5 * 366
SUB_TOTALS = {"awaiting_acceptance", "in_progress"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def quarter_so_far(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today


class PeriodForm(forms.Form):
    since = forms.DateField(label="开始日期", input_formats=["%Y-%m-%d"], error_messages={
        "required": "请填写开始日期", "invalid": "开始日期须为 YYYY-MM-DD 格式的有效日期，如 2026-07-01"})
    until = forms.DateField(label="结束日期", input_formats=["%Y-%m-%d"], error_messages={
        "required": "请填写结束日期", "invalid": "结束日期须为 YYYY-MM-DD 格式的有效日期，如 2026-09-30"})

    def _in_range(self, name: str, label: str):
        value = self.cleaned_data.get(name)
        if value and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(f"{label}的年份须在 {EARLIEST_YEAR} 到 {LATEST_YEAR} 之间")
        return value

    def clean_since(self):
        return self._in_range("since", "开始日期")

    def clean_until(self):
        return self._in_range("until", "结束日期")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                raise forms.ValidationError("开始日期不能晚于结束日期")
            if (until - since).days > MAX_SPAN_DAYS:
                raise forms.ValidationError("统计期间不能超过 5 年，请缩短查询范围")
        return data

    def messages(self) -> list[str]:
        return [m for errors in self.errors.values() for m in errors]


def _period_form(request) -> PeriodForm:
    default_since, default_until = quarter_so_far(timezone.localdate())
    data = {"since": request.GET.get("since", "").strip() or default_since.isoformat(),
            "until": request.GET.get("until", "").strip() or default_until.isoformat()}
    return PeriodForm(data)


def _table(rows: list[dict]) -> dict:
    total = sum(r["count"] for r in rows)
    return {"total": total, "rows": [{**r, "share": f"{r['count'] / total:.1%}" if total else "—"} for r in rows]}


def _sections(stats: dict) -> list[dict]:
    """Each breakdown: a heading, its table and, for the first three, a horizontal bar chart."""
    spec = [
        ("trading_type", "按交易类型", "交易类型", stats["by_trading_type"], "#1d4e89"),
        ("department", "按处理部门", "处理部门", stats["by_department"], "#2b6cb0"),
        ("grounds", "按投诉事由", "投诉事由", stats["by_grounds"], "#d97706"),
        ("outcome", "按处理结果", "处理结果（已作出处理决定的投诉）", stats["by_outcome"], None),
        ("channel", "按投诉渠道", "投诉渠道", stats["by_channel"], None),
    ]
    return [{"id": key, "title": title, "column": column, **_table(rows),
             "chart": {"title": f"{title}统计投诉件数", "color": colour,
                       "rows": [{"label": r["label"], "count": r["count"]} for r in rows]} if colour else None}
            for key, title, column, rows, colour in spec]


@login_required
@require_GET
def statistics_page(request):
    form = _period_form(request)
    context = {"form": form, "errors": [], "stats": None}
    if not form.is_valid():
        context["errors"] = form.messages()
        return render(request, "complaints/statistics.html", context, status=400)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    stats = complaint_statistics(request.user, since=since, until=until)
    query = urlencode({"since": since.isoformat(), "until": until.isoformat()})
    context.update({
        "stats": stats, "since": since, "until": until,
        "totals": [{"key": k, "label": stats["total_labels"][k], "value": v, "sub": k in SUB_TOTALS}
                   for k, v in stats["totals"].items()],
        "sections": _sections(stats),
        "on_time_rate_text": ("—" if stats["timeliness"]["on_time_rate"] is None
                              else f"{stats['timeliness']['on_time_rate']:.1%}"),
        # Apache ECharts (static/vendor/echarts) draws these from json_script data: no inline script.
        "chart_data": {
            "monthly": {"title": "按月统计（按收到投诉的月份）",
                        "series": [["received", "收到投诉", "#1d4e89"], ["decided", "其中已作出处理决定", "#2f855a"]],
                        "rows": [{"month": m["month"], "received": m["received"], "decided": m["decided"]}
                                 for m in stats["monthly"]]},
            "sections": {sec["id"]: sec["chart"] for sec in _sections(stats) if sec["chart"]},
        },
        "export_url": f"{reverse('complaints:statistics_export')}?{query}",
    })
    return render(request, "complaints/statistics.html", context)


@login_required
@require_GET
def statistics_export(request):
    form = _period_form(request)
    if not form.is_valid():
        raise DomainError("；".join(form.messages()))
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    stats = complaint_statistics(request.user, since=since, until=until)
    content = statistics_xlsx(stats, since=since, until=until)
    period = f"{since:%Y-%m-%d}_{until:%Y-%m-%d}"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (f'attachment; filename="complaint-statistics_{period}.xlsx"; '
                                       f"filename*=UTF-8''{quote(f'投诉统计_{period}.xlsx')}")
    response["Cache-Control"] = "private, no-store"
    return response


statistics_urlpatterns = [
    path("statistics/", statistics_page, name="statistics"),
    path("statistics.xlsx", statistics_export, name="statistics_export"),
]
