"""Tender data in: the API (idempotent like clues, every bad field named) and the CSV import."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from casework.events.models import Event
from risk.models import Bid, Tender
from tests.risk.conftest import firm, tender_payload

pytestmark = pytest.mark.django_db


def test_a_tender_is_received_once(monitor, luoyang, frozen):
    body = tender_payload(luoyang)
    first = monitor.post("/api/v1/tenders/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["bids"][0]["uscc"] == firm(0) and len(first.json()["bids"]) == 3
    again = monitor.post("/api/v1/tenders/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Tender.objects.count() == 1 and Bid.objects.count() == 3
    assert Event.objects.filter(action="risk.tender_received").count() == 1


def test_machine_identifiers_are_stored_lower_case(monitor, luoyang):
    body = tender_payload(luoyang)
    body["bids"][0]["mac"], body["bids"][1]["mac"] = " AA:BB:CC:00:11:22 ", "aa:bb:cc:00:11:22"
    assert monitor.post("/api/v1/tenders/", body, format="json").status_code == 201
    assert set(Bid.objects.values_list("mac", flat=True)) >= {"aa:bb:cc:00:11:22"}
    assert Bid.objects.filter(mac="aa:bb:cc:00:11:22").count() == 2


def test_different_content_under_the_same_tender_id_is_a_conflict(monitor, luoyang):
    assert monitor.post("/api/v1/tenders/", tender_payload(luoyang), format="json").status_code == 201
    other = monitor.post("/api/v1/tenders/", tender_payload(luoyang, amounts=[1, 2, 3]), format="json")
    assert other.status_code == 409
    assert "ZB-2026-001" in other.json()["error"]["fields"]["tender_id"][0]


def test_every_bad_field_is_named_and_nothing_is_written(monitor, luoyang):
    body = tender_payload(luoyang, bidders=(0, 1, 2, 3))
    body["bids"][0]["uscc"] = body["bids"][0]["uscc"][:-1] + ("0" if body["bids"][0]["uscc"][-1] != "0" else "1")
    body["bids"][1]["amount"] = "-5"
    body["bids"][2]["winner"] = True  # bid 0 already won
    body["bids"][3]["uscc"] = body["bids"][2]["uscc"]
    body["trading_type"] = "lottery"
    body["opened_at"] = "2026-11-20T09:30:00"
    r = monitor.post("/api/v1/tenders/", body, format="json")
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert "校验位错误" in fields["bids.0.uscc"][0]
    assert fields["bids.1.amount"] == ["投标报价不能为负数"]
    assert "第 1、3 个投标人都标为中标" in fields["bids"][0]
    assert "投标人重复" in fields["bids.3.uscc"][0]
    assert "trading_type" in fields and "时区" in fields["opened_at"][0]
    assert Tender.objects.count() == 0 and Bid.objects.count() == 0


def test_who_may_push_tenders(luoyang, bob):
    body = tender_payload(luoyang)
    assert APIClient().post("/api/v1/tenders/", body, format="json").status_code == 401
    api = APIClient()
    api.force_authenticate(bob)  # a supervising department does not push trading data
    assert api.post("/api/v1/tenders/", body, format="json").status_code == 403


def test_a_supervising_department_must_exist_and_not_be_the_centre(monitor, luoyang):
    r = monitor.post("/api/v1/tenders/", tender_payload(luoyang, supervising_department="NOPE"), format="json")
    assert "NOPE" in r.json()["error"]["fields"]["supervising_department"][0]
    r = monitor.post("/api/v1/tenders/", tender_payload(
        luoyang, supervising_department=luoyang["trading_centre"].code), format="json")
    assert r.status_code == 400


COLUMNS = ["tender_id", "project_code", "project_name", "trading_type", "supervising_department", "opened_at",
           "estimate", "uscc", "name", "amount", "winner", "file_fingerprint", "ip", "mac", "legal_rep",
           "contact_phone"]


def csv_rows(luoyang, tender_id, bidders=(0, 1, 2), winner=0):
    p = tender_payload(luoyang, tender_id=tender_id, bidders=bidders, winner=winner)
    return [[p["tender_id"], p["project_code"], p["project_name"], p["trading_type"], p["supervising_department"],
             p["opened_at"], p["estimate"], b["uscc"], b["name"], b["amount"], "1" if b["winner"] else "0",
             b["file_fingerprint"], b["ip"], b["mac"], b["legal_rep"], b["contact_phone"]] for b in p["bids"]]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)


def test_import_reports_bad_lines_and_never_half_imports_a_tender(tmp_path, luoyang, alice):
    good = csv_rows(luoyang, "CSV-1")
    bad = csv_rows(luoyang, "CSV-2")
    bad[1][9] = "-100"  # line 6 of the file: a negative amount
    bad[2][10] = "1"  # line 7: a second winner
    also_good = csv_rows(luoyang, "CSV-3")
    path = tmp_path / "bids.csv"
    write_csv(path, good + bad + also_good)
    report = tmp_path / "errors.csv"
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 条错误"):
        call_command("import_tenders", str(path), user="alice", errors=str(report), stdout=io.StringIO(), stderr=err)
    assert set(Tender.objects.values_list("tender_id", flat=True)) == {"CSV-1", "CSV-3"}
    assert not Bid.objects.filter(tender__tender_id="CSV-2").exists()
    rows = list(csv.reader(open(report, encoding="utf-8-sig")))
    assert rows[0] == ["行号", "招标编号", "字段", "问题"]
    assert ["6", "CSV-2", "amount", "投标报价不能为负数"] in rows
    assert any(r[0] == "5" and r[2] == "bids" and "都标为中标" in r[3] for r in rows)  # named on the tender's line
    assert "第 6 行（CSV-2）amount：投标报价不能为负数" in err.getvalue()
    assert "100%" in err.getvalue()  # the progress bar reached the end


def test_reimporting_the_same_file_changes_nothing(tmp_path, luoyang, alice):
    path = tmp_path / "bids.csv"
    write_csv(path, csv_rows(luoyang, "CSV-1") + csv_rows(luoyang, "CSV-2"))
    out = io.StringIO()
    call_command("import_tenders", str(path), user="alice", quiet=True, stdout=out)
    call_command("import_tenders", str(path), user="alice", quiet=True, stdout=out)
    assert "新增招标 2 次" in out.getvalue() and "已存在（内容相同）2 次" in out.getvalue()
    assert Tender.objects.count() == 2 and Bid.objects.count() == 6


def test_rows_of_a_tender_split_apart_and_disagreeing_lines_are_refused(tmp_path, luoyang, alice):
    one, two, three = csv_rows(luoyang, "CSV-1"), csv_rows(luoyang, "CSV-2"), csv_rows(luoyang, "CSV-3")
    one[1][2] = "另一个项目名称"
    path = tmp_path / "bids.csv"
    write_csv(path, [*one, *two[:2], *three, two[2]])  # lines 2-4, 5-6, 7-9, 10
    report = tmp_path / "e.csv"
    with pytest.raises(CommandError):
        call_command("import_tenders", str(path), user="alice", errors=str(report), quiet=True,
                     stdout=io.StringIO(), stderr=io.StringIO())
    rows = list(csv.reader(open(report, encoding="utf-8-sig")))
    assert ["3", "CSV-1", "project_name", "项目名称与第 2 行不一致"] in rows
    assert [r[0] for r in rows if r[1] == "CSV-2"] == ["5", "6", "10"]
    assert all("连续排列" in r[3] for r in rows if r[1] == "CSV-2")
    assert list(Tender.objects.values_list("tender_id", flat=True)) == ["CSV-3"]  # no part of CSV-2


def test_import_needs_the_columns_and_a_trading_centre_user(tmp_path, luoyang, alice, bob):
    path = tmp_path / "x.csv"
    path.write_text("tender_id,uscc\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        call_command("import_tenders", str(path), user="alice", stdout=io.StringIO())
    write_csv(path, csv_rows(luoyang, "CSV-1"))
    with pytest.raises(Exception, match="交易中心"):
        call_command("import_tenders", str(path), user="bob", quiet=True, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_tender_pushed_four_times_at_once_is_one(luoyang, alice):
    from django.db import connection

    from risk import services
    from tests.conftest import run_concurrently
    from tests.risk.conftest import tender_input

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    data = tender_input(tender_payload(luoyang))
    results, errors = run_concurrently(*[lambda: services.intake_tender(actor=alice, data=data, schedule=False)] * 4)
    assert not errors, errors
    assert Tender.objects.count() == 1 and Bid.objects.count() == 3
    assert sorted(r.created for r in results) == [False, False, False, True]
