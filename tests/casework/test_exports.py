"""CSV/XLSX exports escape formula-leading cells through one shared helper (casework.exports)."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casework.exports import SafeDictWriter, SafeWriter, safe_cell

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://evil\",\"点击\")", "'=HYPERLINK(\"http://evil\",\"点击\")"), ("+86 1380", "'+86 1380"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("洛阳市住建局", "洛阳市住建局"),
    (42, 42), (None, None), ("", "")])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_writers_escape_every_cell():
    out = io.StringIO()
    SafeWriter(out).writerow(["=1+2", "ok"])
    writer = SafeDictWriter(out, fieldnames=["a", "b"])
    writer.writerow({"a": "@cmd", "b": "fine"})
    assert out.getvalue().splitlines() == ["'=1+2,ok", "'@cmd,fine"]


def test_every_export_uses_the_helper():
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or path.name == "exports.py":
            continue
        text = path.read_text()
        assert not re.search(r"csv\.(writer|DictWriter)\(", text), f"{path}: use casework.exports"
        if "Workbook()" in text:
            assert "escape_workbook(" in text, f"{path}: escape the workbook"


def test_statistics_xlsx_escapes_a_formula_in_a_department_name(luoyang, dave):
    import datetime as dt

    from complaints import services
    from complaints.statistics import complaint_statistics, statistics_xlsx
    from tests.complaints.conftest import complaint_input

    housing = luoyang["housing"]
    housing.name = housing.short_name = '=HYPERLINK("http://evil.example","点击")'
    housing.save()
    services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:x")
    today = dt.date.today()
    stats = complaint_statistics(dave, since=today - dt.timedelta(days=30), until=today + dt.timedelta(days=1))
    workbook = load_workbook(io.BytesIO(statistics_xlsx(stats, since=today - dt.timedelta(days=30), until=today)))
    values = [c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
