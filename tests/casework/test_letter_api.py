"""GET /api/v1/letters/: the letters list's FilterSet and scope, and each letter as the page shows it: a letter
carrying a complainant's identity has its addressee and title masked, and no PDF, for staff not cleared; its
search finds it only by what the user reads."""

import pytest
from rest_framework.test import APIClient

from tests.casework.test_letter_list import fast_render, media, refused, send  # noqa: F401  (fixtures, helper)
from tests.complaints.conftest import NAME, cleared, uncleared  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def numbers(api, **params) -> list[str]:
    response = api.get("/api/v1/letters/", params)
    assert response.status_code == 200, response.content
    return [row["doc_number"] for row in response.json()["results"]]


def test_filters_scope_and_shape(luoyang, bob, erin, fast_render):  # noqa: F811
    bridge = send(luoyang, bob)
    road = send(luoyang, bob, title="关于洛阳市某道路改造工程的协助办理函", kind="assistance",
                addressee="trading_centre")
    api = client_for(bob)
    body = api.get("/api/v1/letters/", {"ordering": "doc_number"}).json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    row = next(r for r in body["results"] if r["id"] == bridge.pk)
    assert row["doc_number"] == bridge.doc_number and row["issuer"] == "LY-HOUSING"
    assert row["addressee"] == luoyang["transport"].name and row["addressee_code"] == "LY-TRANSPORT"
    assert row["restricted"] is False and row["readable"] is True and row["pdf"] == f"/letters/{bridge.pk}.pdf"
    assert numbers(api, search="桥梁") == [bridge.doc_number]
    assert numbers(api, search="交通") == [bridge.doc_number]  # the addressee's name
    assert numbers(api, kind="assistance") == [road.doc_number]
    assert numbers(api, box="received") == [] and len(numbers(api, box="sent")) == 2
    assert numbers(api, ordering="-doc_number") == sorted([bridge.doc_number, road.doc_number], reverse=True)
    bad = api.get("/api/v1/letters/", {"issued_from": "2026-13-45"})
    assert bad.status_code == 400 and "issued_from" in bad.json()["error"]["fields"]
    paged = api.get("/api/v1/letters/", {"limit": 1}).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1 and paged["next"]

    assert numbers(client_for(erin)) == [bridge.doc_number]  # transport: the addressee of the first only
    assert APIClient().get("/api/v1/letters/").status_code in (401, 403)


def test_a_restricted_letter_is_masked_as_on_the_page(refused, cleared, uncleared):  # noqa: F811
    api = client_for(uncleared)  # a housing handler without complaints.view_complainant
    body = api.get("/api/v1/letters/").json()
    row = next(r for r in body["results"] if r["id"] == refused.pk)
    assert row["restricted"] is True and row["readable"] is False and row["pdf"] is None
    assert row["addressee"] == "周**" and NAME not in str(body)
    assert numbers(api, search=NAME) == []  # no oracle
    assert numbers(api, search="不予受理") == []
    assert numbers(api, search=refused.doc_number[:4]) == [refused.doc_number]
    assert numbers(api, restricted="true") == [refused.doc_number]

    api = client_for(type(cleared).objects.get(pk=cleared.pk))  # bob: the handling department's cleared handler
    row = api.get("/api/v1/letters/", {"search": NAME}).json()["results"][0]
    assert row["id"] == refused.pk and row["addressee"] == NAME and row["readable"] is True
    assert row["pdf"] == f"/letters/{refused.pk}.pdf"
