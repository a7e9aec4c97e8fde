"""GraphQL over HTTP: the graphql-http audit suite and the media type it negotiates."""

from __future__ import annotations

from collections import Counter

from graph.version import SCHEMA_VERSION
from tests.conftest import Gateway
from tests.helpers.nodejs import node_json

# Every audit passes, the MAY ones about GET included: GET queries need no preflight header
# (bearer-only auth; docs/frontend.md "CSRF and GET").
RESPONSE_JSON = "application/graphql-response+json"


def test_the_graphql_http_server_audits_pass(gateway: Gateway) -> None:
    results = node_json("audit.mjs", gateway.url + "/graphql")
    counts = Counter((r["name"].split()[0], r["status"]) for r in results)
    failed = {r["id"]: f"{r['name']}: {r['reason']}" for r in results if r["status"] != "ok"}
    must = [r for r in results if r["name"].startswith("MUST")]
    should = [r for r in results if r["name"].startswith("SHOULD")]
    assert must, counts
    assert should, counts
    assert all(r["status"] == "ok" for r in must + should), failed
    assert failed == {}, failed


def test_a_client_accepting_graphql_response_json_gets_it(gateway: Gateway) -> None:
    response = gateway.http.post(
        "/graphql",
        json={"query": "{ portals { id } }"},
        headers={"Accept": f"{RESPONSE_JSON}, application/json;q=0.9"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(RESPONSE_JSON)
    assert response.json()["data"]["portals"]


def test_request_errors_are_400_without_data_for_graphql_response_json(gateway: Gateway) -> None:
    headers = {"Accept": RESPONSE_JSON}
    for body in (
        {"query": "{ portals { id "},  # parse error
        {"query": "{ portals { nope } }"},  # validation error
        {"query": "query($t: Tier) { portals(tier: $t) { id } }", "variables": {"t": 7}},
    ):
        response = gateway.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 400, (body, response.text)
        assert "data" not in response.json()
        assert response.json()["errors"]


def test_legacy_json_clients_keep_200_and_application_json(gateway: Gateway) -> None:
    response = gateway.http.post(
        "/graphql", json={"query": "{ portals { nope } }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"] is None


def test_a_refused_media_type_is_not_chosen(gateway: Gateway) -> None:
    response = gateway.http.post(
        "/graphql",
        json={"query": "{ portals { id } }"},
        headers={"Accept": f"{RESPONSE_JSON};q=0, application/json"},
    )
    assert response.headers["content-type"].startswith("application/json")


def test_every_answer_names_the_schema_version(gateway: Gateway) -> None:
    response = gateway.http.post("/graphql", json={"query": "{ __schema { description } }"})
    assert response.headers["portalgraph-schema-version"] == SCHEMA_VERSION
    assert SCHEMA_VERSION in response.json()["data"]["__schema"]["description"]
    refused = gateway.http.post("/graphql", json={"query": "{ nope }"})
    assert refused.headers["portalgraph-schema-version"] == SCHEMA_VERSION
