"""The credit record list on the shared list machinery: search by subject name and partial USCC, filters,
ledger (a person's ID number masked), the paginated API, and scope (another bureau sees none of them)."""

import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from credit import services
from tests.credit.test_codes import PERSON
from tests.credit.test_credit import CODE, sanction

pytestmark = pytest.mark.django_db


def test_record_list_search_filters_ledger_api_and_scope(client, luoyang, bob, erin):
    firm = services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")
    person = services.ensure_subject(actor=bob, type="individual", code=PERSON, name="张三")
    firm_record = sanction(bob, luoyang["housing"], firm)
    person_record = sanction(bob, luoyang["housing"], person, number="洛建罚〔2026〕2号", kind="bad_conduct")
    client.force_login(bob)
    page = client.get("/credit/records/", {"search": CODE[2:10]}).content.decode()  # part of the USCC
    assert firm_record.decision_number in page and person_record.decision_number not in page
    page = client.get("/credit/records/", {"kind": "bad_conduct"}).content.decode()
    assert person_record.decision_number in page and firm_record.decision_number not in page
    page = client.get("/credit/records/", {"subject_type": "enterprise"}).content.decode()
    assert firm_record.decision_number in page and person_record.decision_number not in page
    rows = list(openpyxl.load_workbook(io.BytesIO(
        client.get("/credit/records/", {"export": "xlsx", "ordering": "decision_number"}).content)).active.values)
    assert rows[0][:4] == ("决定书文号", "主体名称", "主体类型", "代码/证件号码")
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[firm_record.decision_number][3] == CODE
    assert PERSON not in str(rows) and by_number[person_record.decision_number][3].startswith(PERSON[:3])

    api = APIClient()
    api.force_authenticate(bob)
    body = api.get("/api/v1/credit/records/", {"search": "张三"}).json()
    assert body["count"] == 1 and body["results"][0]["decision_number"] == person_record.decision_number
    assert PERSON not in str(body)

    client.force_login(erin)  # the transport bureau made none of them
    assert firm_record.decision_number not in client.get("/credit/records/").content.decode()
    api.force_authenticate(erin)
    assert api.get("/api/v1/credit/records/").json()["count"] == 0
