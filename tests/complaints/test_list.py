"""The complaint list through the shared list machinery: search, filters, the paginated API with the same
filters, the ledger (masked complainant), scope (a department that does not handle it sees nothing), query count
independent of the list's length, saved views."""

import io

import openpyxl
from rest_framework.test import APIClient

from complaints import services
from tests.complaints.conftest import ID_NUMBER, NAME, PHONE, complaint_input


def _file(luoyang, n: int, **overrides):
    return services.file_complaint(data=complaint_input(luoyang, **overrides), channel="online",
                                   submission_key=f"web:list-{n}").complaint


def test_search_filters_and_api_share_one_definition(client, luoyang, bob):
    road = _file(luoyang, 1)
    bridge = _file(luoyang, 2, project_code="LYGC2026-777", project_name="洛阳市某桥梁维修工程",
                   grounds="招标文件设置不合理条件排斥潜在投标人，限制了竞争。", complainant_name="钱多多")
    client.force_login(bob)
    page = client.get("/complaints/", {"search": "桥梁"}).content.decode()
    assert bridge.reference in page and road.reference not in page
    page = client.get("/complaints/", {"search": "2026-77"}).content.decode()  # a partial project code
    assert bridge.reference in page and road.reference not in page
    assert bridge.reference not in client.get("/complaints/", {"search": "钱多多"}).content.decode()  # no name oracle
    page = client.get("/complaints/", {"status": "submitted", "ordering": "reference"}).content.decode()
    assert page.index(road.reference) < page.index(bridge.reference)
    bad = client.get("/complaints/", {"received_from": "2026-13-45"})
    assert bad.status_code == 400 and "收到日期自" in bad.content.decode()

    api = APIClient()
    api.force_authenticate(bob)
    body = api.get("/api/v1/complaints/", {"search": "桥梁"}).json()
    assert body["count"] == 1 and [c["reference"] for c in body["results"]] == [bridge.reference]
    assert set(body) == {"count", "next", "previous", "results"}
    assert api.get("/api/v1/complaints/", {"limit": 1}).json()["next"]


def test_ledger_masks_the_complainant_and_matches_the_page(client, luoyang, bob):
    complaint = _file(luoyang, 1)
    client.force_login(bob)
    xlsx = client.get("/complaints/", {"export": "xlsx"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "投诉编号" and rows[1][0] == complaint.reference and len(rows) == 2
    assert rows[1][3] == "周**"
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert NAME not in text and ID_NUMBER not in text and PHONE not in text
    csv = client.get("/complaints/", {"export": "csv"}).content.decode("utf-8")
    assert csv.startswith("\ufeff投诉编号") and complaint.reference in csv and NAME not in csv


def test_other_department_sees_no_row_and_exports_none(client, luoyang, bob, erin):
    complaint = _file(luoyang, 1)
    client.force_login(erin)  # the transport bureau does not handle it
    assert complaint.reference not in client.get("/complaints/").content.decode()
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get("/complaints/?export=xlsx").content)).active.values)
    assert len(rows) == 1
    api = APIClient()
    api.force_authenticate(erin)
    assert api.get("/api/v1/complaints/").json()["count"] == 0


def test_query_count_does_not_grow_with_the_list(client, luoyang, bob, django_assert_max_num_queries):
    _file(luoyang, 0)
    client.force_login(bob)
    client.get("/complaints/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/complaints/")
    for n in range(1, 8):
        _file(luoyang, n, project_code=f"LYGC2026-3{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/complaints/").status_code == 200


def test_saved_view_comes_back_as_a_link_for_its_owner_and_department(client, luoyang, bob, carol, erin):
    client.force_login(bob)
    saved = client.post("/views/save/", {"path": "/complaints/", "name": "本周新收", "query": "status=submitted&page=3",
                                         "share": "1"})
    assert saved.status_code == 302 and saved["Location"] == "/complaints/?status=submitted"
    again = client.post("/views/save/", {"path": "/complaints/", "name": "本周新收", "query": "status=submitted"})
    assert again.status_code == 302  # a double click keeps one saved view
    from casework.savedviews.models import SavedView

    assert SavedView.objects.filter(owner=bob).count() == 1
    assert "本周新收" in client.get("/complaints/").content.decode()
    client.force_login(carol)  # same department: shared only if bob shared it (the second save did not)
    assert "本周新收" not in client.get("/complaints/").content.decode()
    client.force_login(bob)
    client.post("/views/save/", {"path": "/complaints/", "name": "本周新收", "query": "status=submitted", "share": "1"})
    client.force_login(carol)
    assert "本周新收" in client.get("/complaints/").content.decode()
    client.force_login(erin)
    assert "本周新收" not in client.get("/complaints/").content.decode()
    view = SavedView.objects.get()
    assert client.post(f"/views/{view.pk}/delete/", {"path": "/complaints/"}).status_code == 404  # not erin's
    bad = client.post("/views/save/", {"path": "/admin/", "name": "x", "query": ""})
    assert bad.status_code == 400 and "列表" in bad.content.decode()
    client.force_login(bob)
    assert client.post(f"/views/{view.pk}/delete/", {"path": "/complaints/"}).status_code == 302
    assert not SavedView.objects.exists()
