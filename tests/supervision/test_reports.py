"""The quarterly report: its clock each quarter, the draft from the data, edit, sign-off, issue (PDF to the
committee, circulated with the XLSX) completing the clock; the command writes the draft without issuing."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from casework.clocks.models import Clock
from casework.errors import Conflict, DomainError, Forbidden
from casework.letters.models import Letter
from casework.notifications.models import Notification
from supervision import reports
from supervision.models import QuarterlyReport
from tests.conftest import at


def office(luoyang):
    return next(d for d in luoyang["all"] if d.is_supervision_office)


def test_each_quarter_the_report_clock_starts_for_the_office(luoyang, frozen):
    frozen(at(2026, 10, 2))
    assert reports.open_due_reports() == 1
    assert reports.open_due_reports() == 1                       # idempotent
    report = QuarterlyReport.objects.get()
    assert (report.office, report.year, report.quarter, report.state) == (office(luoyang), 2026, 3, "pending")
    clock = report.clock
    assert clock.rule_version.rule.key == "supervision.report" and clock.department == office(luoyang)
    assert clock.started_at == at(2026, 10, 1, 0, 0)
    assert clock.due_at.date() >= dt.date(2026, 12, 31)


def test_draft_edit_sign_issue_completes_the_clock(q3, dave, leo, bob, erin, luoyang, frozen):
    frozen(at(2026, 10, 9))
    reports.open_due_reports()
    report = QuarterlyReport.objects.get()
    report = reports.draft_report(actor=dave, report=report)
    assert report.state == "draft"
    assert report.data["total"]["received"] == 3 and report.data["total"]["late"] == 2
    housing = next(d for d in report.data["departments"] if d["code"] == "LY-HOUSING")
    assert (housing["received"], housing["late"], housing["open_overdue"]) == (2, 2, 1)
    assert [n["item"].split(" ", 1)[1] for n in report.data["notable"]] == ["某安置房项目线索"]
    assert "共收到限时办理事项3件，办结4件" in report.body and "办理用时中位数2.5个工作日" in report.body
    assert "洛阳市住房和城乡建设局超期办结2件、超期未办结1件" in report.body
    with pytest.raises(DomainError):
        reports.edit_report(actor=dave, report=report, title="", body=report.body)
    reports.edit_report(actor=dave, report=report, title=report.title,
                        body=report.body + "\n\n七、附：本报告经办公室核对。")
    with pytest.raises(Forbidden):
        reports.sign_report(actor=dave, report=report)
    with pytest.raises(Conflict):
        reports.issue_report(actor=dave, report=report)
    reports.sign_report(actor=leo, report=report)
    report = reports.issue_report(actor=dave, report=report)
    assert report.state == "issued" and report.letter.kind == Letter.Kind.SUPERVISION_REPORT
    assert report.letter.addressee_name == "洛阳市公共资源交易管理委员会"
    assert report.letter.issued_by == leo  # 签发人: the leader who signed it off, not the clerk who issued it
    assert luoyang["housing"] in report.letter.readers.all()
    report.clock.refresh_from_db()
    assert report.clock.state == Clock.State.MET and report.clock.closed_at is not None
    wb = load_workbook(io.BytesIO(report.xlsx.open("rb").read()))
    assert wb["分单位"]["A1"].value == "单位代码"
    assert Notification.objects.filter(kind="report", recipient__username="bob").exists() is False  # handlers not
    assert reports.issue_report(actor=dave, report=report).letter == report.letter
    assert Letter.objects.filter(kind="supervision_report").count() == 1


def test_a_quarter_not_yet_over_cannot_be_drafted(luoyang, dave, frozen):
    frozen(at(2026, 9, 29))
    report = reports.open_report(office=office(luoyang), period=reports.periods.quarter_of(dt.date(2026, 9, 1)))
    with pytest.raises(DomainError) as exc:
        reports.draft_report(actor=dave, report=report)
    assert "quarter" in exc.value.field_errors


def test_command_writes_the_draft_without_issuing(q3, tmp_path, frozen):
    from django.core.management import call_command

    frozen(at(2026, 10, 9))
    out = io.StringIO()
    call_command("supervision_report", "--quarter", "2026Q3", "--jurisdiction", "410300", "--out", str(tmp_path),
                 stdout=out)
    pdf = tmp_path / "supervision-report-410300-2026Q3.pdf"
    xlsx = tmp_path / "supervision-report-410300-2026Q3.xlsx"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    sheet = load_workbook(xlsx)["分单位"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["LY-HOUSING"][2:8] == (2, 3, 1, 2, 2, 1)
    assert not QuarterlyReport.objects.exists() and not Letter.objects.filter(kind="supervision_report").exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("supervision_report", "--quarter", "2026Q5", "--out", str(tmp_path))


def test_pages_and_access(client, q3, dave, leo, bob, carol, erin, olga, frozen):
    frozen(at(2026, 10, 9))
    reports.open_due_reports()
    report = QuarterlyReport.objects.get()
    client.force_login(dave)
    client.post(f"/supervision/reports/{report.pk}/do/draft/")
    report.refresh_from_db()
    assert report.state == "draft"
    assert client.get(f"/supervision/reports/{report.pk}/file/draft.pdf")["Content-Type"] == "application/pdf"
    assert client.get(f"/supervision/reports/{report.pk}/file/xlsx").status_code == 200
    for user, status in ((bob, 404), (carol, 404), (erin, 404), (leo, 200), (olga, 404)):
        client.force_login(user)
        assert client.get(f"/supervision/reports/{report.pk}/").status_code == status, user
    client.force_login(bob)
    assert client.post(f"/supervision/reports/{report.pk}/do/sign/").status_code == 404
    client.force_login(leo)
    client.post(f"/supervision/reports/{report.pk}/do/sign/")
    client.force_login(dave)
    client.post(f"/supervision/reports/{report.pk}/do/issue/")
    report.refresh_from_db()
    assert report.state == "issued"
    client.force_login(erin)                                     # every member unit reads the issued report
    assert client.get(f"/supervision/reports/{report.pk}/").status_code == 200
    assert client.get(f"/supervision/reports/{report.pk}/file/xlsx").status_code == 200
    assert client.get(f"/supervision/reports/{report.pk}/file/draft.pdf").status_code == 404
    client.logout()
    assert client.get(f"/supervision/reports/{report.pk}/").status_code == 302
