"""The inspection plan list on the shared list machinery: search, filters, ledger, paginated API, scope."""

import io

import openpyxl
from rest_framework.test import APIClient

from casework.org.models import Department, Membership
from tests.conftest import make_user


def test_plan_list_search_filter_ledger_api_and_scope(client, luoyang, bob, plan):
    client.force_login(bob)
    page = client.get("/inspections/", {"search": plan.title[:4]}).content.decode()
    assert plan.reference in page
    assert plan.reference not in client.get("/inspections/", {"search": "不存在的计划"}).content.decode()
    assert plan.reference in client.get("/inspections/", {"department": "LY-TRANSPORT"}).content.decode()
    assert plan.reference not in client.get("/inspections/", {"status": "published"}).content.decode()
    bad = client.get("/inspections/", {"starts_from": "明天"})
    assert bad.status_code == 400 and "检查开始日期自" in bad.content.decode()
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get("/inspections/?export=xlsx").content)).active.values)
    assert rows[0][0] == "计划编号" and rows[1][0] == plan.reference and "交通" in rows[1][3]
    api = APIClient()
    api.force_authenticate(bob)
    body = api.get("/api/v1/inspections/plans/", {"search": plan.reference}).json()
    assert body["count"] == 1 and body["results"][0]["reference"] == plan.reference

    wendy = make_user("wendy", Department.objects.get(code="LY-WATER"), Membership.Role.HANDLER)
    client.force_login(wendy)  # the water bureau neither leads nor takes part nor had staff drawn
    assert plan.reference not in client.get("/inspections/").content.decode()
    api.force_authenticate(wendy)
    assert api.get("/api/v1/inspections/plans/").json()["count"] == 0
