"""The REST surface other government systems use, and its schema and docs."""

import re

import pytest
from rest_framework.test import APIClient

from casework.org.services import create_api_client


@pytest.fixture
def api(luoyang):
    _, token = create_api_client(name="trading-monitor", department=luoyang["trading_centre"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_departments_list_code_name_type_jurisdiction(api, luoyang):
    body = api.get("/api/v1/departments/?limit=500").json()
    assert body["count"] == len(luoyang["all"])
    housing = next(d for d in body["results"] if d["code"] == luoyang["housing"].code)
    assert housing["type"] == "housing" and housing["jurisdiction"] == "410300"
    assert housing["name"] == luoyang["housing"].name and housing["level"] == "city"
    filtered = api.get("/api/v1/departments/?type=police").json()["results"]
    assert [d["type"] for d in filtered] == ["police"]


def test_schema_and_docs_are_served_locally(client, api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/departments/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower()
    external = [u for u in re.findall(r'(?:src|href)="([^"]+)"', docs) if u.startswith(("http:", "https:", "//"))]
    assert external == []
    asset = next(u for u in re.findall(r'src="([^"]+\.js)"', docs))
    assert client.get(asset).status_code == 200
