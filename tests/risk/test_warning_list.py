"""The warning list through the shared list machinery: search (Chinese names, a partial USCC), the filters the list
had (same names), pagination with the total, the ledger equal to the page, the API with the same filter
({count, next, previous, results}), a bad filter named, and a query count that does not grow with the list."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from risk import services
from risk.models import Warning
from tests.risk.conftest import firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(ring_data):
    services.run_screening()
    return Warning.objects.get(screen="ring")


def copies(warning, n, tag="copy"):
    """n more warnings like `warning` (distinct keys), each on the same tenders."""
    made = []
    for i in range(n):
        copy = Warning.objects.get(pk=warning.pk)
        copy.pk, copy.key, copy.score = None, f"{warning.key}-{tag}{i}", warning.score - 1 - i * 0.1
        copy.save()
        copy.tenders.set(warning.tenders.all())
        made.append(copy)
    return made


def ids(page: str) -> int:
    return page.count("data-screen=")


def test_search_filters_and_api(client, screened, alice):
    client.force_login(alice)
    assert ids(client.get("/risk/", {"search": "乙建筑"}).content.decode()) == 3  # a bidder's Chinese name
    partial = firm(1)[4:12]  # the middle of a USCC
    page = client.get("/risk/", {"search": partial}).content.decode()
    assert ids(page) == 3 and 'data-screen="ring"' in page
    page = client.get("/risk/", {"search": "随机预期"}).content.decode()  # the explanation
    assert ids(page) == 1 and screened.get_absolute_url() in page
    assert ids(client.get("/risk/", {"search": "RING-3"}).content.decode()) >= 1  # a tender id
    assert ids(client.get("/risk/", {"screen": "ring"}).content.decode()) == 1
    assert ids(client.get("/risk/", {"bidder": firm(1)}).content.decode()) == 3
    assert ids(client.get("/risk/", {"project": "RING-0"}).content.decode()) == 3
    assert ids(client.get("/risk/", {"min_score": "100"}).content.decode()) == 1  # the ring scores 100
    assert ids(client.get("/risk/", {"department": "LY-HOUSING", "status": "open"}).content.decode()) == 3
    bad = client.get("/risk/", {"from": "2026-02-30"})
    assert bad.status_code == 400 and "发现日期自" in bad.content.decode()

    api = APIClient()
    api.force_authenticate(alice)
    body = api.get("/api/v1/risk/warnings/", {"search": "乙建筑", "limit": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 3 and len(body["results"]) == 2
    assert body["next"] and api.get(body["next"]).json()["results"][0]["id"] not in [r["id"] for r in body["results"]]
    assert [r["id"] for r in api.get("/api/v1/risk/warnings/", {"search": "随机预期"}).json()["results"]] == [
        screened.pk]
    assert api.get("/api/v1/risk/warnings/", {"min_score": "lots"}).status_code == 400


def test_pagination_and_ledger_equal_to_the_page(client, screened, alice):
    copies(screened, 50)
    client.force_login(alice)
    first = client.get("/risk/").content.decode()
    assert 'id="list-count">53<' in first and ids(first) == 50 and "第 1 / 2 页，共 53 条" in first
    assert ids(client.get("/risk/", {"page": 2}).content.decode()) == 3
    response = client.get("/risk/", {"screen": "ring", "ordering": "-score", "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("风险分值", "类型", "说明") and len(rows) == 52
    page = client.get("/risk/", {"screen": "ring", "ordering": "-score"}).content.decode()
    shown = [int(s.split("</strong>")[0]) for s in page.split('<strong class="score">')[1:]]
    assert [r[0] for r in rows[1:51]] == shown  # same rows, same order as the page
    assert "乙建筑工程有限公司" in rows[1][3] and rows[1][6] == screened.supervising_department.name
    assert rows[1][9].year >= 2026  # a date, not text
    csv = client.get("/risk/", {"export": "csv"}).content.decode("utf-8")
    assert csv.startswith("\ufeff风险分值") and csv.count("\n") == 54


def test_query_count_does_not_grow_with_the_list(client, screened, alice):
    client.force_login(alice)
    Warning.objects.exclude(pk=screened.pk).delete()
    copies(screened, 1)
    client.get("/risk/")
    with CaptureQueriesContext(connection) as two:
        assert ids(client.get("/risk/").content.decode()) == 2
    copies(screened, 18, tag="more")
    with CaptureQueriesContext(connection) as twenty:
        assert ids(client.get("/risk/").content.decode()) == 20
    assert len(twenty.captured_queries) <= len(two.captured_queries)
