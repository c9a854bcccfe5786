"""Ledgers (台账): any list exported as the user sees it, to CSV (UTF-8 with BOM, so Excel reads the Chinese) or
XLSX (dates as dates), with Chinese headers and formula-leading cells neutralised (CSV/formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from casework.errors import DomainError
from casework.exports import SafeWriter, safe_cell  # the one escape every export uses

MAX_ROWS = 20000  # in the request; a background export (casework.exportjobs) goes to PORTAL_EXPORT_JOB_MAX_ROWS
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]


def _plain(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _too_many(limit: int) -> DomainError:
    return DomainError.for_field("export", f"导出超过 {limit:,} 行，请缩小筛选范围后分批导出")


def _cells(rows: Iterable, columns: list[Column], limit: int) -> Iterator[list]:
    for n, row in enumerate(rows):
        if n >= limit:
            raise _too_many(limit)
        yield [safe_cell(_plain(c.value(row))) for c in columns]


def write(rows: Iterable, columns: list[Column], *, fmt: str, out: BinaryIO, title: str, limit: int = MAX_ROWS,
          progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """Write the ledger of `rows` to the binary stream `out`, one row at a time (memory stays flat whatever the
    count: openpyxl's write-only mode, a streamed CSV); `progress(n)` is called every `every` rows. Returns the
    number of rows. DomainError beyond `limit` rows or for an unknown format."""
    if fmt not in FORMATS:
        raise DomainError.for_field("export", "导出格式须为 csv 或 xlsx")
    n = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        text.write("\ufeff")  # the BOM: Excel then reads the file as UTF-8
        writer = SafeWriter(text)
        writer.writerow([c.header for c in columns])
        for n, line in enumerate(_cells(rows, columns, limit), start=1):
            writer.writerow(["" if v is None else (v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime)
                                                   else v) for v in line])
            if progress and n % every == 0:
                progress(n)
        text.flush()
        text.detach()  # leave `out` open for the caller
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title[:31])
        bold = Font(bold=True)
        header = []
        for c in columns:
            cell = WriteOnlyCell(sheet, value=c.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for n, line in enumerate(_cells(rows, columns, limit), start=1):
            # every text cell is already escaped (safe_cell): a write-only sheet cannot be walked afterwards
            sheet.append([_dated(sheet, v) for v in line])
            if progress and n % every == 0:
                progress(n)
        book.save(out)
    return n


def _dated(sheet, value):
    if isinstance(value, dt.datetime | dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
        return cell
    return value


def download_name(filename: str, fmt: str, at: dt.datetime | None = None) -> str:
    return f"{filename}-{timezone.localtime(at).strftime('%Y%m%d-%H%M')}.{fmt}"


def attachment_disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


def export(rows: Iterable, columns: list[Column], *, fmt: str, filename: str) -> HttpResponse:
    """The ledger as a download answered in the request (at most MAX_ROWS rows)."""
    out = io.BytesIO()
    write(rows, columns, fmt=fmt, out=out, title=filename)
    response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment_disposition(download_name(filename, fmt))
    return response
