"""XLSX for every table on the supervision pages. Text that a spreadsheet would run as a formula is escaped."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from casework.exports import safe_cell


def safe(value):
    """A cell value that no spreadsheet evaluates (casework.exports.safe_cell, shared by every export)."""
    return safe_cell(value)


def workbook(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.append([safe(h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([safe(v) for v in row])
        for i, h in enumerate(headers, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(40, 2 * len(h) + 4))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rate(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


FIGURE_HEADERS = ["单位代码", "单位", "机制", "收件", "办结", "按期办结", "超期办结", "未办结", "超期未办结",
                  "按期率", "办理用时中位数（工作日）", "退回", "管辖争议"]


CREDIT_HEADERS = ["单位代码", "单位", "录入信用记录", "按期报送信用平台", "超期报送", "逾期未报送", "报送按期率",
                  "收到专家禁入通报", "按期确认", "超期确认", "逾期未确认", "资格核查拦截失信主体"]


def figure_row(r) -> list:
    return [r.department.code if r.department else "", r.department.name if r.department else "合计",
            r.mechanism_label, r.received, r.handled, r.on_time, r.late, r.open, r.open_overdue,
            rate(r.on_time_rate), "" if r.median_days is None else r.median_days, r.returns, r.disputes]


def dashboard_sheets(board, trend_rows) -> list:
    sheets = [("分单位分机制", FIGURE_HEADERS, [figure_row(r) for r in board.rows]
               + [figure_row(r) for r in board.totals])]
    if board.averages:
        sheets.append(("全市平均", ["机制", "收件", "办结", "按期办结", "超期办结", "未办结", "超期未办结",
                                    "全市按期率", "全市用时中位数（工作日）"],
                       [[a.mechanism_label, a.received, a.on_time + a.late, a.on_time, a.late, a.open,
                         a.open_overdue, rate(a.pooled_rate), a.median_days] for a in board.averages]))
    credit = [r for r in board.rows if r.mechanism == "credit"]
    if credit:
        from supervision.tables import push_rate

        sheets.append(("信用惩戒", CREDIT_HEADERS, [
            [r.department.code, r.department.name, r.records, r.push_on_time, r.push_late, r.push_overdue,
             rate(push_rate(r)), r.ban_notices, r.ban_on_time, r.ban_late, r.ban_overdue, r.stopped]
            for r in credit]))
    sheets.append(("近8个季度", ["季度", "收件", "办结", "按期办结", "超期办结", "按期率"],
                   [[t["quarter"], t["received"], t["handled"], t["on_time"], t["late"], rate(t["on_time_rate"])]
                    for t in trend_rows]))
    return sheets
