"""Ledgers (台账): any list exported as the user sees it, to CSV (UTF-8 with BOM, so Excel reads the Chinese) or
XLSX (dates as dates), with Chinese headers and formula-leading cells neutralised (CSV/formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from casework.errors import DomainError
from casework.exports import SafeWriter, escape_workbook, safe_cell  # the one escape every export uses

MAX_ROWS = 20000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]


def _plain(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def export(rows: Iterable, columns: list[Column], *, fmt: str, filename: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise DomainError.for_field("export", "导出格式须为 csv 或 xlsx")
    table = []
    for n, row in enumerate(rows):
        if n >= MAX_ROWS:
            raise DomainError.for_field("export", f"导出超过 {MAX_ROWS:,} 行，请缩小筛选范围后分批导出")
        table.append([safe_cell(_plain(c.value(row))) for c in columns])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        buf = io.StringIO()
        writer = SafeWriter(buf)
        writer.writerow([c.header for c in columns])
        for line in table:
            writer.writerow(["" if v is None else (v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime)
                                                   else v) for v in line])
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = filename[:31]
        sheet.append([c.header for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in table:
            sheet.append(line)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        escape_workbook(book)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.{fmt}')}"
    return response
