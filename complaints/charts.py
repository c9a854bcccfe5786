"""Small server-side SVG charts: no JavaScript, no external assets.

Every text that reaches the SVG is escaped here; the functions return SafeStrings ready for a template.
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
FONT_SIZE = 13
INK, MUTED, GRID = "#1a202c", "#718096", "#e2e8f0"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of rendered width: CJK and full-width characters are one em, others ~0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in str(text))


def _clip(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    text = str(text)
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def _svg(width: float, height: float, title: str, chart_id: str, body: list[str]) -> SafeString:
    t = escape(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{escape(chart_id)}" role="img" '
        f'aria-label="{t}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}" style="max-width:100%;height:auto">'
        f"<title>{t}</title>" + "".join(body) + "</svg>")


def _empty(width: float, title: str, chart_id: str) -> SafeString:
    return _svg(width, 60, title, chart_id, [
        f'<text x="{width / 2:.0f}" y="34" text-anchor="middle" fill="{MUTED}">暂无数据</text>'])


def hbar_chart(rows: list[dict], *, title: str, chart_id: str = "", width: int = 560,
               color: str = "#1d4e89", max_label_width: int = 220) -> SafeString:
    """Horizontal bars, one per row {label, count}, longest bar = largest count."""
    if not rows or not any(r["count"] for r in rows):
        return _empty(width, title, chart_id)
    row_h, bar_h, pad = 26, 16, 8
    label_w = min(max(text_width(r["label"]) for r in rows), max_label_width)
    peak = max(r["count"] for r in rows)
    value_w = text_width(str(peak)) + 8
    x0 = pad + label_w + 10
    span = max(width - x0 - value_w - pad, 40)
    height = pad * 2 + row_h * len(rows)
    body = [f'<line x1="{x0:.1f}" y1="{pad}" x2="{x0:.1f}" y2="{height - pad}" stroke="{GRID}"/>']
    for i, r in enumerate(rows):
        top = pad + i * row_h
        mid = top + row_h / 2
        length = span * r["count"] / peak if peak else 0
        if r["count"] and length < 2:
            length = 2
        label = escape(r["label"])
        body.append(
            f'<g><title>{label}：{r["count"]} 件</title>'
            f'<text x="{x0 - 10:.1f}" y="{mid:.1f}" text-anchor="end" dominant-baseline="central" fill="{INK}">'
            f"{escape(_clip(r['label'], label_w))}</text>"
            f'<rect x="{x0:.1f}" y="{mid - bar_h / 2:.1f}" width="{length:.1f}" height="{bar_h}" rx="2" '
            f'fill="{color}"/>'
            f'<text x="{x0 + length + 6:.1f}" y="{mid:.1f}" dominant-baseline="central" fill="{INK}">'
            f'{r["count"]}</text></g>')
    return _svg(width, height, title, chart_id, body)


def nice_ceiling(peak: float, ticks: int = 4) -> tuple[float, float]:
    """A round axis maximum at or above `peak` and its whole-number tick step (1, 2 or 5 × 10^n)."""
    if peak <= 0:
        return 1, 1
    raw = peak / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1)  # counts: whole-number ticks
    return step * math.ceil(peak / step), step


def column_chart(rows: list[dict], *, series: tuple[tuple[str, str, str], ...], category: str = "month",
                 title: str, chart_id: str = "", width: int = 720) -> SafeString:
    """Grouped columns: one group per row (labelled by rows[i][category]), one column per series
    (key, label, colour), with a y axis, gridlines and a legend."""
    if not rows:
        return _empty(width, title, chart_id)
    peak = max((r.get(key, 0) for r in rows for key, _, _ in series), default=0)
    ymax, step = nice_ceiling(peak)
    top, bottom, right = 34, 30, 12
    left = max(44, round(text_width(str(int(ymax)), 11) + 14))
    plot_h = 200
    n, k = len(rows), len(series)
    group_w = max((width - left - right) / n, 8.0 * k + 6)
    width = max(width, int(left + right + group_w * n))
    col_w = min((group_w - 10) / k, 28)
    height = top + plot_h + bottom

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / ymax

    body = []
    # legend
    lx = left
    for _key, label, colour in series:
        body.append(f'<rect x="{lx}" y="8" width="12" height="12" rx="2" fill="{colour}"/>'
                    f'<text x="{lx + 17}" y="14" dominant-baseline="central" fill="{INK}">{escape(label)}</text>')
        lx += 17 + text_width(label) + 18
    # grid and y ticks
    v = 0.0
    while v <= ymax + 1e-9:
        y = y_of(v)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" '
                    f'fill="{MUTED}" font-size="11">{int(v)}</text>')
        v += step
    # thin the category labels when they would collide
    label_w = max(text_width(str(r[category]), 11) for r in rows) + 6
    every = max(1, math.ceil(label_w / group_w))
    for i, r in enumerate(rows):
        gx = left + i * group_w
        x = gx + (group_w - col_w * k) / 2
        for j, (key, label, colour) in enumerate(series):
            value = r.get(key, 0)
            y = y_of(value)
            cx = x + j * col_w
            body.append(f'<rect x="{cx + 1:.1f}" y="{y:.1f}" width="{col_w - 2:.1f}" height="{top + plot_h - y:.1f}" '
                        f'fill="{colour}"><title>{escape(str(r[category]))} {escape(label)}：{value} 件</title></rect>')
            if value and col_w >= 14:
                body.append(f'<text x="{cx + col_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
                            f'fill="{INK}">{value}</text>')
        if i % every == 0:
            body.append(f'<text x="{gx + group_w / 2:.1f}" y="{top + plot_h + 17}" text-anchor="middle" '
                        f'font-size="11" fill="{INK}">{escape(str(r[category]))}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    return _svg(width, height, title, chart_id, body)
