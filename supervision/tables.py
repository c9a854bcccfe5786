"""The dashboard's big table rendered in Python: one f-string per row instead of ~40 template lookups per row keeps
the page fast at a hundred-plus rows (Django's template engine was most of the page's time). Every text is
escaped here."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from supervision.templatetags.supervision_tags import days, pct

LINKED = ("received", "handled", "on_time", "late", "open", "open_overdue")


def figure_rows(rows, *, query: str, items_url: str, notice_url: str, supervisor: bool) -> SafeString:
    out = []
    for r in rows:
        d, m = escape(r.department.code), escape(r.mechanism)
        base = f"{items_url}?{escape(query)}&amp;department={d}&amp;mechanism={m}&amp;metric="

        def link(metric, value, base=base):
            return f'<td class="num"><a data-metric="{metric}" href="{base}{metric}">{value}</a></td>'

        cells = [f"<td>{escape(r.department.display_name)}</td><td>{escape(r.mechanism_label)}</td>"]
        cells += [link(k, getattr(r, k)) for k in LINKED]
        cells.append(f'<td class="num" data-metric="on_time_rate">{pct(r.on_time_rate)}</td>')
        cells.append(f'<td class="num" data-metric="median">{days(r.median_days)}</td>')
        cells += [link("returns", r.returns), link("disputes", r.disputes)]
        if supervisor:
            action = (f'<a class="button small" href="{notice_url}?department={d}&amp;mechanism={m}&amp;'
                      f'{escape(query)}">督办</a>') if (r.open_overdue or r.late) else ""
            cells.append(f"<td>{action}</td>")
        cls = ' class="u-overdue"' if r.open_overdue else ""
        out.append(f'<tr data-department="{d}" data-mechanism="{m}"{cls}>{"".join(cells)}</tr>')
    return mark_safe("\n".join(out))


CREDIT_COLUMNS = ("records", "push_on_time", "push_late", "push_overdue", "ban_notices", "ban_on_time", "ban_late",
                  "ban_overdue", "stopped")


def push_rate(r) -> float | None:
    done = r.push_on_time + r.push_late
    return round(r.push_on_time / done, 4) if done else None


def credit_rows(rows, *, query: str, items_url: str) -> SafeString:
    """The credit panel: one row per department with credit figures, each figure linked to its items."""
    out = []
    for r in rows:
        d = escape(r.department.code)
        base = f"{items_url}?{escape(query)}&amp;department={d}&amp;mechanism=credit&amp;metric="
        cells = [f"<td>{escape(r.department.display_name)}</td>"]
        for k in CREDIT_COLUMNS:
            cells.append(f'<td class="num"><a data-metric="{k}" href="{base}{k}">{getattr(r, k)}</a></td>')
            if k == "push_overdue":
                cells.append(f'<td class="num" data-metric="push_rate">{pct(push_rate(r))}</td>')
        cls = ' class="u-overdue"' if (r.push_overdue or r.ban_overdue) else ""
        out.append(f'<tr data-department="{d}"{cls}>{"".join(cells)}</tr>')
    return mark_safe("\n".join(out))
