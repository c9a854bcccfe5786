"""A mechanism's meetings and solicitations through the API: the page's FilterSet (search, filters, overdue replies,
ordering), {count, next, previous, results}, the same scope as the page (erin of transport sees what transport was
invited to or consulted on), free text searched only where it is read unmasked, and the filters in the schema."""

import pytest
from rest_framework.test import APIClient

from consultations import services
from tests.conftest import at
from tests.consultations.conftest import SET_UP, meeting_input
from tests.consultations.test_lists import two_solicitations

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def refs(api, path, **params) -> list[str]:
    response = api.get(path, params)
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def meetings(luoyang, mechanism, bob, frozen):
    frozen(SET_UP)
    bridges = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                        data=meeting_input(luoyang, title="研究桥梁工程围标线索",
                                                           purpose="举报人钟离晓东反映，电话13711112222。"))
    roads = services.schedule_meeting(actor=bob, mechanism=mechanism, convener=luoyang["housing"],
                                      data=meeting_input(luoyang, title="研究道路工程评标专家问题",
                                                         invitees=[luoyang["police"]]))
    return bridges, roads


def test_meeting_api_filters_scope_and_shape(meetings, mechanism, bob, erin, frozen):
    bridges, roads = meetings
    path = f"/api/v1/consultations/{mechanism.pk}/meetings/"
    api = client_for(bob)
    body = api.get(path, {"ordering": "reference"}).json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    first = body["results"][0]
    assert first["reference"] == bridges.reference and first["convener"] == "LY-HOUSING"
    assert (first["kind"], first["status"], first["status_display"]) == ("ad_hoc", "scheduled", "已发通知")
    assert first["minutes"] is None and first["reply_due_on"] == "2026-03-06"
    assert "purpose" not in first and "summary" not in first  # free text is not in the list, as on the page
    assert refs(api, path, search="桥梁") == [bridges.reference]
    assert refs(api, path, search=roads.reference[-4:]) == [roads.reference]
    assert refs(api, path, department="LY-TRANSPORT") == [bridges.reference]
    assert refs(api, path, status="held") == []
    assert refs(api, path, search="钟离晓东") == []  # masked free text: no oracle
    assert refs(api, path, starts_from="2026-03-11") == []
    assert refs(api, path, ordering="-reference") == sorted([bridges.reference, roads.reference], reverse=True)
    frozen(at(2026, 3, 9, 9))  # the reply date (6 March) has passed: the invited units' clocks are late
    assert len(refs(api, path, overdue="true")) == 2
    paged = api.get(path, {"limit": 1}).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1 and paged["next"]
    bad = api.get(path, {"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]

    assert refs(client_for(erin), path) == [bridges.reference]  # transport: invited to the first only


def test_solicitation_api_filters_scope_and_counts(luoyang, mechanism, drc, bob, pete):
    rule, site = two_solicitations(luoyang, mechanism, drc, bob)
    path = f"/api/v1/consultations/{mechanism.pk}/solicitations/"
    api = client_for(bob)
    body = api.get(path, {"ordering": "reference"}).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["reference"], first["asked"], first["replied"], first["initiator"]) == (
        rule.reference, 3, 0, "LY-HOUSING")
    assert first["letter"] == rule.letter.doc_number and first["deadline"] == "2026-03-13"
    assert "draft_text" not in first
    assert refs(api, path, search="见证") == [site.reference]
    assert refs(api, path, kind="policy") == [site.reference]
    assert refs(api, path, department="LY-POLICE") == [site.reference]
    assert refs(api, path, status="final") == []
    assert refs(api, path, deadline_to="2026-03-01") == []
    assert refs(client_for(pete), path) == [site.reference]  # the police: consulted on the second only


def test_the_schema_documents_the_filters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, names in {
        "/api/v1/consultations/{id}/decisions/": {"state", "owner", "due_from", "due_to", "search", "ordering"},
        "/api/v1/consultations/{id}/meetings/": {"kind", "status", "starts_from", "search", "overdue", "limit"},
        "/api/v1/consultations/{id}/solicitations/": {"kind", "status", "deadline_from", "search", "offset"},
        "/api/v1/letters/": {"kind", "box", "restricted", "issued_from", "year", "search"},
    }.items():
        params = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert names <= params, (path, names - params)
