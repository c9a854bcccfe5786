"""Assistance letters and joint actions on the shared list machinery: search, filters (direction, overdue),
ledger content, the paginated API with the same filters, and scope (an uninvolved bureau sees no row)."""

import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from tests.conftest import at
from tests.jointaction.test_assistance import ask
from tests.jointaction.test_joint_actions import start

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


def test_assistance_list_search_direction_overdue_and_ledger(client, bob, erin, luoyang, frozen):
    frozen(at(2026, 11, 20, 9))
    school, _ = ask(bob, luoyang)
    road, _ = ask(bob, luoyang, case_name="洛阳市某道路工程弄虚作假案", submission_key="k2",
                  matters="调取丙公司的资质证书核发记录，联系电话 13912345678。")
    client.force_login(bob)
    page = client.get("/joint/assistance/", {"search": "道路"}).content.decode()
    assert road.reference in page and school.reference not in page
    assert client.get("/joint/assistance/", {"direction": "received"}).content.decode().count("s-sent") == 0
    assert school.reference in client.get("/joint/assistance/", {"direction": "sent"}).content.decode()
    assert school.reference not in client.get("/joint/assistance/", {"overdue": "true"}).content.decode()
    frozen(at(2027, 1, 20, 9))  # long past every review clock (the session expired meanwhile)
    client.force_login(bob)
    assert school.reference in client.get("/joint/assistance/", {"overdue": "true"}).content.decode()
    rows = _rows(client.get("/joint/assistance/", {"search": "道路", "export": "xlsx"}))
    assert rows[0][:2] == ("编号", "案件名称") and [r[0] for r in rows[1:]] == [road.reference]
    assert "13912345678" not in str(rows)  # free text masked as everywhere else

    client.force_login(erin)  # the transport bureau neither sent nor received them
    assert school.reference not in client.get("/joint/assistance/").content.decode()
    assert len(_rows(client.get("/joint/assistance/?export=xlsx"))) == 1
    api = APIClient()
    api.force_authenticate(erin)
    assert api.get("/api/v1/assistance/").json()["count"] == 0
    api.force_authenticate(bob)
    body = api.get("/api/v1/assistance/", {"search": "道路"}).json()
    assert body["count"] == 1 and body["results"][0]["id"] == road.pk


def test_joint_action_list_filters_ledger_and_api(client, bob, erin, luoyang):
    action = start(bob, luoyang)
    other = start(bob, luoyang, title="交通工程围标串标联合检查", kind="inspection")
    client.force_login(bob)
    page = client.get("/joint/actions/", {"kind": "inspection"}).content.decode()
    assert other.reference in page and action.reference not in page
    page = client.get("/joint/actions/", {"search": "市场监督"}).content.decode()  # a participant's name
    assert action.reference in page and other.reference in page
    rows = _rows(client.get("/joint/actions/", {"export": "xlsx", "ordering": "reference"}))
    assert rows[0][0] == "编号" and {r[0] for r in rows[1:]} == {action.reference, other.reference}
    assert "市场监督管理局" in rows[1][4]
    client.force_login(erin)
    assert action.reference not in client.get("/joint/actions/").content.decode()
    api = APIClient()
    api.force_authenticate(bob)
    body = api.get("/api/v1/joint-actions/", {"kind": "enforcement"}).json()
    assert body["count"] == 1 and body["results"][0]["reference"] == action.reference
    assert api.get("/api/v1/joint-actions/", {"kind": "nonsense"}).status_code == 400
