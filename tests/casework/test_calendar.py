"""The stored calendar: seeding, import, corrections, provisional recompute, warnings."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.calendar.models import CalendarYear
from casework.calendar.services import load_year, missing_year_warning, parse_calendar_file
from casework.clocks import services
from casework.errors import DomainError
from casework.events.services import timeline
from tests.conftest import at

YEAR_2027 = {
    "year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试用）",
    "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
             {"date": "2027-01-02", "kind": "holiday", "name": "元旦"},
             {"date": "2027-01-03", "kind": "holiday", "name": "元旦"},
             {"date": "2027-01-09", "kind": "workday", "name": "元旦"}],
}


def test_seeded_from_chinese_calendar_with_source(db):
    years = dict(CalendarYear.objects.values_list("year", "loaded"))
    assert set(range(2004, 2027)) <= set(years) and all(years.values())
    assert "国务院办公厅关于2026年部分节假日安排的通知" in CalendarYear.objects.get(year=2026).source


def test_parse_json_and_csv():
    year, source, days = parse_calendar_file(json.dumps(YEAR_2027).encode(), "2027.json")
    assert year == 2027 and len(days) == 4 and days[3].kind == "workday"
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-09,workday,元旦\n".encode()
    year, _, days = parse_calendar_file(csv, "2027.csv")
    assert year is None and [d.kind for d in days] == ["holiday", "workday"]


@pytest.mark.parametrize("content,name,message", [
    (b"{not json", "x.json", "JSON 格式错误"),
    (b'{"days": [{"date": "2027-13-01", "kind": "holiday"}]}', "x.json", "不是 YYYY-MM-DD"),
    (b'{"days": [{"date": "2027-01-01", "kind": "party"}]}', "x.json", "类型“party”无效"),
    (b"day,kind\n", "x.csv", "CSV 缺少列：date"),
    (b"whatever", "x.txt", "只接受 .json 或 .csv"),
])
def test_parse_errors_name_the_problem(content, name, message):
    with pytest.raises(DomainError, match=message):
        parse_calendar_file(content, name)


def test_load_refuses_bad_years_and_leaves_nothing_behind(db):
    _, _, days = parse_calendar_file(json.dumps(YEAR_2027).encode(), "x.json")
    bad = days + [days[0].__class__(date=__import__("datetime").date(2027, 1, 5), kind="workday")]
    with pytest.raises(DomainError, match="不能标为调休上班"):
        load_year(actor=None, year=2027, source="x", days=bad)
    with pytest.raises(DomainError, match="不属于 2028 年"):
        load_year(actor=None, year=2028, source="x", days=days)
    with pytest.raises(DomainError, match="依据"):
        load_year(actor=None, year=2027, source=" ", days=days)
    assert not CalendarYear.objects.filter(year__in=[2027, 2028]).exists()


def test_loading_next_year_recomputes_provisional_clocks_with_audit(luoyang, olga):
    clock = services.start_clock(actor=None, subject=luoyang["housing"], rule_key="referral.return",
                                 department=luoyang["housing"], started_at=at(2026, 12, 30))
    assert clock.provisional and clock.due_at == at(2027, 1, 5, 0, 0)   # 12-31, 01-01, 01-04
    _, _, days = parse_calendar_file(json.dumps(YEAR_2027).encode(), "x.json")
    load_year(actor=olga, year=2027, source=YEAR_2027["source"], days=days)
    clock.refresh_from_db()
    # 12-31 (Thu), then 01-01..01-03 off, 01-04 (Mon), 01-05 (Tue).
    assert not clock.provisional and clock.due_at == at(2027, 1, 6, 0, 0)
    event = timeline(clock).last()
    assert event.action == "clock.recomputed" and event.actor == olga
    assert event.before["provisional"] is True and event.after["provisional"] is False


def test_missing_next_year_warning_from_november(db):
    import datetime as dt

    assert missing_year_warning(dt.date(2026, 10, 31)) is None
    assert "2027 年的法定节假日安排尚未载入" in missing_year_warning(dt.date(2026, 11, 1))


def test_calendar_import_command(tmp_path, db):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(YEAR_2027), encoding="utf-8")
    call_command("calendar", "import", str(path))
    assert CalendarYear.objects.get(year=2027).loaded
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("calendar", "import", str(tmp_path / "nope.json"))


def test_admin_import_page(client, olga, tmp_path):
    client.force_login(olga)
    page = client.get("/admin/casework/calendaryear/")
    assert "2027 年的法定节假日安排尚未载入" in page.content.decode()  # today is November 2026+
    csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-09,workday,元旦\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/admin/casework/calendaryear/import/",
                       {"file": SimpleUploadedFile("2027.csv", csv), "year": "", "source": ""})
    assert "请填写年份" in resp.content.decode()
    form = {"file": SimpleUploadedFile("2027.csv", csv), "year": "2027", "source": "国办发明电〔2026〕测试号"}
    resp = client.post("/admin/casework/calendaryear/import/", form)
    assert resp.status_code == 302
    assert CalendarYear.objects.get(year=2027).days.count() == 2


def test_administrators_are_notified_once_when_next_year_is_missing(olga, bob):
    import datetime as dt

    from casework.calendar.services import notify_admins_of_missing_year
    from casework.notifications.models import Notification

    assert notify_admins_of_missing_year(dt.date(2026, 10, 15)) is False
    assert notify_admins_of_missing_year(dt.date(2026, 11, 2)) is True
    assert notify_admins_of_missing_year(dt.date(2026, 11, 3)) is True   # the periodic task runs again
    notes = Notification.objects.filter(kind="calendar_missing_2027")
    assert [n.recipient.username for n in notes] == ["olga"]
