"""CSV and XLSX exports, made safe for spreadsheets: a text cell starting with = + - @ (or a tab or carriage
return) would be run as a formula by Excel/WPS (CSV injection), so it is prefixed with an apostrophe."""

from __future__ import annotations

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


class SafeWriter:
    """csv.writer whose rows are escaped."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose values are escaped."""

    def writerow(self, rowdict):
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})


def escape_workbook(workbook) -> None:
    """Turn every formula-looking text cell of an openpyxl workbook into plain text (openpyxl stores a string
    starting with "=" as a formula). The exports never write formulas of their own."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.value = "'" + cell.value
