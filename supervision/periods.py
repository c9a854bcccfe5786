"""Reporting periods: a quarter by default, any from–to (dates, Asia/Shanghai, both days included)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from casework.errors import DomainError

MAX_YEARS = 5  # "a period longer than 5 years is refused"


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        q = quarter_of(self.first)
        if self == q:
            return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"

    def query(self) -> str:
        return f"from={self.first:%Y-%m-%d}&to={self.last:%Y-%m-%d}"


def quarter_of(day: dt.date) -> Period:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end_month = start.month + 2
    nxt = dt.date(start.year + (end_month == 12), end_month % 12 + 1, 1)
    return Period(start, nxt - dt.timedelta(days=1))


def previous_quarter(p: Period) -> Period:
    return quarter_of(p.first - dt.timedelta(days=1))


def parse_quarter(text: str) -> Period:
    m = re.fullmatch(r"\s*(\d{4})\s*[Qq]([1-4])\s*", text or "")
    if not m:
        raise DomainError.for_field("quarter", f"季度格式应为 2026Q4，收到“{text}”")
    return quarter_of(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1))


def _date(params, name: str, label: str) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError.for_field(name, f"{label}（{name}）应为 YYYY-MM-DD 格式的日期，收到“{raw[:20]}”") from None


def parse(params, *, today: dt.date, required: bool = False) -> Period:
    """`from`/`to` from a query string; the current quarter when both are absent (unless required)."""
    first, last = _date(params, "from", "起始日期"), _date(params, "to", "截止日期")
    if first is None and last is None and not required:
        return quarter_of(today)
    if first is None:
        raise DomainError.for_field("from", "请提供起始日期（from）")
    if last is None:
        raise DomainError.for_field("to", "请提供截止日期（to）")
    if last < first:
        raise DomainError.for_field("to", f"截止日期（to）{last:%Y-%m-%d} 早于起始日期（from）{first:%Y-%m-%d}")
    try:
        limit = first.replace(year=first.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = dt.date(first.year + MAX_YEARS, 3, 1)
    if last >= limit:
        raise DomainError.for_field("to", "统计期间不能超过5年")
    return Period(first, last)


def last_quarters(p: Period, n: int = 8) -> list[Period]:
    """The n quarters ending with the one containing p.last, oldest first."""
    quarters = [quarter_of(p.last)]
    while len(quarters) < n:
        quarters.append(previous_quarter(quarters[-1]))
    return list(reversed(quarters))
