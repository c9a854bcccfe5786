"""The inspection-object directory on the shared list machinery: search (Chinese names, a partial USCC), the filters
it had (risk level, field, earlier years) and new ones (department, completion dates), pagination with the total,
the ledger equal to the page, the paginated API with the same filter, and a query count that does not grow."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tests.inspections.conftest import add_project, uscc

pytestmark = pytest.mark.django_db


def codes(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split('<div class="muted mono">')[1:]]


def test_search_filters_scope_and_api(client, luoyang, alice, bob, directory):
    old = add_project(alice, luoyang, 40, completed=dt.date(timezone.localdate().year - 3, 5, 1),
                      winner_name="洛阳老城建筑有限公司")
    client.force_login(bob)
    assert codes(client.get("/inspections/projects/", {"search": "中标人7有限"}).content.decode()) == ["LYGC-007"]
    assert codes(client.get("/inspections/projects/", {"search": uscc(12)[6:17]}).content.decode()) == ["LYGC-012"]
    assert codes(client.get("/inspections/projects/", {"search": "第2号 工程"}).content.decode()) == ["LYGC-002"]
    assert len(codes(client.get("/inspections/projects/", {"risk_level": "low"}).content.decode())) == 10
    assert codes(client.get("/inspections/projects/", {"department": "LY-TRANSPORT"}).content.decode()) == [
        "LYGC-031", "LYGC-032"]
    assert codes(client.get("/inspections/projects/", {"search": "老城"}).content.decode()) == []  # an earlier year
    page = client.get("/inspections/projects/", {"search": "老城", "all": "1"}).content.decode()
    assert codes(page) == [old.project_code] and "按筛选条件" in page
    assert codes(client.get("/inspections/projects/", {"completed_to": f"{old.tender_completed_on}"})
                 .content.decode()) == [old.project_code]
    bad = client.get("/inspections/projects/", {"completed_from": "2026-02-30"})
    assert bad.status_code == 400 and "完成招投标日期自" in bad.content.decode()

    api = APIClient()
    api.force_authenticate(bob)
    body = api.get("/api/v1/inspections/projects/", {"search": "中标人7有限"}).json()
    assert body["count"] == 1 and body["results"][0]["project_code"] == "LYGC-007"
    assert body["results"][0]["stratum"] == "high" and body["results"][0]["credit"] == "good"
    assert api.get("/api/v1/inspections/projects/", {"limit": 5}).json()["count"] == 32
    assert api.get("/api/v1/inspections/projects/", {"all": "true"}).json()["count"] == 33


def test_pagination_and_ledger_equal_to_the_page(client, luoyang, alice, bob, directory):
    for n in range(41, 61):
        add_project(alice, luoyang, n, risk="low")
    client.force_login(bob)
    first = client.get("/inspections/projects/", {"ordering": "project_code"}).content.decode()
    assert 'id="list-count">52<' in first and len(codes(first)) == 50 and "第 1 / 2 页，共 52 条" in first
    second = client.get("/inspections/projects/", {"ordering": "project_code", "page": 2}).content.decode()
    assert codes(second) == ["LYGC-059", "LYGC-060"]
    response = client.get("/inspections/projects/", {"ordering": "project_code", "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("项目编号", "项目名称") and [r[0] for r in rows[1:]] == codes(first) + codes(second)
    header = rows[0]
    assert rows[1][header.index("当事人信用")] == "无失信记录" and rows[1][header.index("抽取分层")] == "高"
    assert isinstance(rows[1][header.index("完成招投标日期")], dt.datetime)  # a date cell
    assert rows[1][header.index("中标人统一社会信用代码")] == uscc(1)


def test_query_count_does_not_grow_with_the_list(client, luoyang, alice, bob):
    for n in (1, 2):
        add_project(alice, luoyang, n)
    client.force_login(bob)
    client.get("/inspections/projects/")
    with CaptureQueriesContext(connection) as two:
        assert len(codes(client.get("/inspections/projects/").content.decode())) == 2
    for n in range(3, 21):
        add_project(alice, luoyang, n)
    with CaptureQueriesContext(connection) as twenty:
        assert len(codes(client.get("/inspections/projects/").content.decode())) == 20
    assert len(twenty.captured_queries) <= len(two.captured_queries)
