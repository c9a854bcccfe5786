"""Schemathesis over the whole OpenAPI schema, against the live test server with a valid token: no operation
answers 5xx. Bounded (a few examples per operation) so it stays within a couple of minutes."""

import json
import os

import pytest
from django.test import Client

from casework.org.services import create_api_client

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))


def test_no_operation_answers_5xx(live_server, luoyang, alice, bob):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings

    _, token = create_api_client(name="fuzzer", department=luoyang["trading_centre"])
    headers = {"Authorization": f"Bearer {token}"}
    raw = Client().get("/api/schema/?format=json", HTTP_AUTHORIZATION=headers["Authorization"])
    assert raw.status_code == 200
    schema = schemathesis.openapi.from_dict(json.loads(raw.content))
    tally = {"operations": 0, "cases": 0, "statuses": {}, "server_errors": []}

    for result in schema.get_all_operations():
        operation = result.ok()
        tally["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(base_url=live_server.url, headers=headers, timeout=30)
            tally["cases"] += 1
            tally["statuses"][response.status_code] = tally["statuses"].get(response.status_code, 0) + 1
            if response.status_code >= 500:
                tally["server_errors"].append((case.method, case.formatted_path, response.status_code,
                                               response.text[:300]))

        run()
    print(f"schemathesis: {tally['operations']} operations, {tally['cases']} requests, "
          f"statuses {dict(sorted(tally['statuses'].items()))}, {len(tally['server_errors'])} server errors")
    assert tally["operations"] >= 20
    assert not tally["server_errors"], tally["server_errors"][:10]


def test_the_schema_declares_the_error_answers_and_field_limits(db, luoyang):
    _, token = create_api_client(name="reader", department=luoyang["trading_centre"])
    schema = json.loads(Client().get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Bearer {token}").content)
    post = schema["paths"]["/api/v1/clues/"]["post"]
    assert {"400", "401", "403", "409", "413", "429"} <= set(post["responses"])
    detail = schema["paths"]["/api/v1/clues/{id}/"]["get"]
    assert {"401", "403", "404", "429"} <= set(detail["responses"])
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    clue_in = schema["components"]["schemas"]["ClueIn"]["properties"]
    assert clue_in["summary"]["maxLength"] == 20000 and clue_in["external_id"]["maxLength"] == 100
