"""Query counts of a complaint filed over the API (issue 18): bounded, so a regression fails here."""

from rest_framework.test import APIClient

from casework.org.services import create_api_client
from tests.complaints.conftest import ID_NUMBER


def _body(luoyang, external_id: str) -> dict:
    return {"external_id": external_id, "complainant_type": "person", "complainant_name": "周明远",
            "complainant_id_number": ID_NUMBER, "contact_phone": "13800138000", "department": luoyang["housing"].code,
            "project_code": "LYGC2026-201", "project_name": "洛阳市某道路改造工程", "trading_type": "engineering",
            "grounds_category": "bid_rigging", "grounds": f"串通投标（{external_id}）。",
            "requested_outcome": "请求查处。"}


def test_api_filing_query_count(luoyang, bob, django_assert_max_num_queries):
    """42 queries before (issue 18), then 26; now 17 on PostgreSQL, 18 on SQLite: the chain linked by the
    sequencer after commit, the filing's two audit events in one INSERT, no savepoint for its clock, the
    permission's id read once a process, and the response does not look up the files a new filing cannot have."""
    _, token = create_api_client(name="hotline", department=luoyang["drc"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/complaints/", _body(luoyang, "warm"), format="json").status_code == 201
    with django_assert_max_num_queries(18) as ctx:
        resp = api.post("/api/v1/complaints/", _body(luoyang, "counted"), format="json")
    assert resp.status_code == 201 and resp.json()["files"] == []
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith('INSERT INTO "CASEWORK_EVENT"')]
    assert len(inserts) == 1
