"""The JavaScript clients frontend teams use: graphql-ws (WebSocket) and graphql-sse (SSE)."""

from __future__ import annotations

from tests.conftest import Gateway, Sandbox
from tests.helpers.nodejs import node_json

PORTALS = "{ portals { id } }"


def test_graphql_ws_and_graphql_sse_clients(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    report = node_json(
        "clients.mjs",
        gateway.url,
        clean_sandbox.demo_token("lena"),
        clean_sandbox.url("bund", "inbox"),
        timeout=90,
    )
    ws, sse = report["ws"], report["sse"]
    assert ws["query"] == len(gateway.query(PORTALS)["data"]["portals"]) >= 4
    assert ws["queryDone"] is True
    assert ws["event"] == "graphql-ws 1"
    # terminate() dropped the socket; the client dialled again and its next operation ran.
    assert ws["afterReconnect"] == "graphql-ws 2"
    assert ws["reconnects"] == 1
    assert ws["completed"] is True
    assert "nope" in ws["validationError"]["message"]
    assert ws["validationError"]["codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert ws["anonymousError"] == "UNAUTHENTICATED"
    assert sse["event"] == "graphql-sse"
    assert sse["completed"] is True
    assert "nope" in sse["validationError"]["message"], sse
    assert sse["validationError"]["codes"] == ["GRAPHQL_VALIDATION_FAILED"]


def test_urql_and_apollo_client_with_their_default_configuration(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    report = node_json(
        "frontend_clients.mjs", gateway.url, clean_sandbox.demo_token("erika"), timeout=90
    )
    urql, apollo, apq = report["urql"], report["apollo"], report["apq"]
    # urql sends queries as GET with text/event-stream among its accepted types; it must
    # get JSON, without a custom CSRF header.
    assert urql["error"] is None, urql
    assert urql["applications"] >= 3
    assert [(r["method"], r["status"]) for r in urql["requests"]] == [("GET", 200)]
    assert urql["requests"][0]["type"] == "application/graphql-response+json"
    assert apollo["error"] is None, apollo
    assert apollo["applications"] == urql["applications"]
    assert [(r["method"], r["status"]) for r in apollo["requests"]] == [("POST", 200)]
    # APQ with useGETForHashedQueries: a GET miss, the POST that registers, then a GET hit.
    assert apq["first"] == apq["second"] == len(gateway.query(PORTALS)["data"]["portals"]) >= 4
    assert [(r["method"], r["hashOnly"]) for r in apq["firstRequests"]] == [
        ("GET", True),
        ("POST", False),
    ]
    assert [(r["method"], r["status"], r["hashOnly"]) for r in apq["secondRequests"]] == [
        ("GET", 200, True)
    ]


def test_normalised_caches_with_the_shipped_keys_and_type_policies(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    report = node_json(
        "normalised_caches.mjs", gateway.url, clean_sandbox.demo_token("erika"), timeout=90
    )
    # Without keys Graphcache warns about every value type; with examples/cache it is quiet.
    assert report["graphcacheBare"]["errors"] == []
    assert report["graphcacheBare"]["warnings"] > 0
    assert report["graphcache"] == {"errors": [], "warnings": []}
    paging = report["paging"]
    assert paging["total"] >= 4, paging
    assert paging["forwardMerged"] == 4  # relayPagination merged two pages of two
    assert paging["tail"] == paging["all"][-2:]
    assert paging["beforeTail"] == paging["all"][-4:-2]
    assert paging["tailInfo"]["hasPreviousPage"] is True
    assert paging["tailInfo"]["hasNextPage"] is False
    assert paging["warnings"] == []
    apollo = report["apollo"]
    assert apollo["errors"] == []
    assert apollo["merged"] == 4  # relayStylePagination merged the fetchMore page
    assert apollo["normalisedApplication"] >= 4
    assert apollo["meKey"] == "Me:{}"  # the viewer is a singleton
    assert apollo["warnings"] == []
