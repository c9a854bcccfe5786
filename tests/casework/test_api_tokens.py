"""API tokens: optional expiry and scopes; revocation and rotation audited with the person; creation and
rotation in the admin (the token shown once)."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from casework.errors import DomainError
from casework.events.models import Event
from casework.org.models import ApiClient
from casework.org.services import create_api_client, revoke_api_client, rotate_api_client_token


def api(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_an_expired_token_is_refused(luoyang, frozen):
    frozen(timezone.now())
    _, token = create_api_client(name="temp", department=luoyang["trading_centre"],
                                 expires_at=timezone.now() + dt.timedelta(days=1))
    assert api(token).get("/api/v1/departments/").status_code == 200
    frozen(timezone.now() + dt.timedelta(days=1, seconds=1))
    resp = api(token).get("/api/v1/departments/")
    assert resp.status_code == 401 and "过期" in resp.json()["error"]["message"]
    with pytest.raises(DomainError):
        create_api_client(name="past", department=luoyang["trading_centre"], expires_at=timezone.now())


def test_scopes_limit_what_a_token_may_do(luoyang):
    from tests.referrals.conftest import payload

    _, pusher = create_api_client(name="pusher", department=luoyang["trading_centre"], scopes=["clues:push"])
    _, checker = create_api_client(name="checker", department=luoyang["trading_centre"],
                                   scopes=["eligibility:read"])
    assert api(pusher).post("/api/v1/clues/", payload(luoyang), format="json").status_code == 201
    refused = api(pusher).get("/api/v1/departments/")
    assert refused.status_code == 403 and "权限范围" in refused.json()["error"]["message"]
    assert api(checker).post("/api/v1/clues/", payload(luoyang, external_id="M-2"), format="json").status_code == 403
    resp = api(checker).get("/api/v1/credit/eligibility/", {"code": "91410300MA9F1234XQ", "domain": "engineering",
                                                            "project_code": "P-1"})
    assert resp.status_code != 403
    with pytest.raises(DomainError) as err:
        create_api_client(name="odd", department=luoyang["trading_centre"], scopes=["everything"])
    assert "scopes" in err.value.field_errors


def test_revocation_and_rotation_are_audited_with_the_person(luoyang, olga):
    client, token = create_api_client(actor=olga, name="mon", department=luoyang["trading_centre"])
    new = rotate_api_client_token(actor=olga, client=client)
    assert api(token).get("/api/v1/departments/").status_code == 401
    assert api(new).get("/api/v1/departments/").status_code == 200
    revoke_api_client(actor=olga, client=client)
    assert api(new).get("/api/v1/departments/").status_code == 401
    events = Event.objects.filter(object_type="casework.apiclient", object_id=str(client.pk)).order_by("seq")
    assert [(e.action, e.actor) for e in events] == [("apiclient.created", olga), ("apiclient.token_rotated", olga),
                                                     ("apiclient.revoked", olga)]


def test_the_command_records_who_revoked(luoyang, olga):
    out = io.StringIO()
    call_command("apiclient", "create", "cli", "--department", luoyang["trading_centre"].code,
                 "--scopes", "eligibility:read", "--expires", "2099-12-31", "--by", "olga", stdout=out)
    client = ApiClient.objects.get(name="cli")
    assert client.scopes == ["eligibility:read"]
    assert timezone.localtime(client.expires_at).date() == dt.date(2100, 1, 1)  # through the whole of 2099-12-31
    call_command("apiclient", "revoke", "cli", "--by", "olga", stdout=out)
    assert Event.objects.get(action="apiclient.revoked").actor == olga


def test_admin_creates_and_rotates_tokens_showing_them_once(client, olga, luoyang):
    client.force_login(olga)
    page = client.get("/admin/casework/apiclient/add/").content.decode()
    assert "新建接口客户端" in page and "clues:push" in page
    centre = luoyang["trading_centre"].pk
    resp = client.post("/admin/casework/apiclient/add/", {"name": "adm-made", "department": centre,
                                                          "scopes": ["clues:push"]})
    token = re.search(r'<code class="api-token">([^<]+)</code>', resp.content.decode()).group(1)
    assert "no-store" in resp["Cache-Control"] and "只显示这一次" in resp.content.decode()
    made = ApiClient.objects.get(name="adm-made")
    assert made.scopes == ["clues:push"]
    resp = client.post("/admin/casework/apiclient/", {"action": "rotate_tokens", "_selected_action": [made.pk]})
    rotated = re.search(r'<code class="api-token">([^<]+)</code>', resp.content.decode()).group(1)
    assert rotated != token and api(token).post("/api/v1/clues/", {}, format="json").status_code == 401
    assert Event.objects.filter(action="apiclient.token_rotated", actor=olga).exists()
    resp = client.post("/admin/casework/apiclient/", {"action": "revoke_tokens", "_selected_action": [made.pk]},
                       follow=True)
    assert "已停用 1 个" in resp.content.decode()
    assert client.post("/admin/casework/apiclient/add/", {"name": "x", "department": luoyang["trading_centre"].pk,
                                                          "expires_at": "2000-01-01 00:00"}).status_code == 200
