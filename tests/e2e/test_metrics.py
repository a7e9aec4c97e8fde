"""`/metrics` over real HTTP: every family operators rely on, and labels that stay small.

One gateway of its own (cache and breakers on, a low per-viewer rate limit) so the
counters it reads are its alone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph.app import create_app
from graph.ops.metrics import MAX_OPERATION_NAMES, BoundedLabel
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import DASHBOARD
from tests.helpers.live import LiveClient

SEARCH = """query ServiceSearch($ars: String) {
  services(query: "Reisepass", ars: $ars, first: 5) { totalCount edges { node { id name } } }
}"""
# Labels on v2: an upstream (`pvog`, `identity`, a provider) or a [[portals]] entry id, with
# the capability. Köln's account area: Erika is linked to it (conftest).
KOELN_ACCOUNTS = {"portal": "koeln", "capability": "accounts"}
EXPECTED = {
    "portalgraph_graphql_operations",
    "portalgraph_graphql_errors",
    "portalgraph_graphql_operation_duration_seconds",
    "portalgraph_http_requests",
    "portalgraph_http_request_duration_seconds",
    "portalgraph_upstream_calls",
    "portalgraph_upstream_errors",
    "portalgraph_upstream_call_duration_seconds",
    "portalgraph_upstream_retries",
    "portalgraph_upstream_refusals",
    "portalgraph_upstream_breaker_state",
    "portalgraph_upstream_consecutive_failures",
    "portalgraph_upstream_bulkhead_in_flight",
    "portalgraph_upstream_bulkhead_saturation",
    "portalgraph_cache_hits",
    "portalgraph_cache_misses",
    "portalgraph_cache_stale_served",
    "portalgraph_rate_limit_refusals",
    "portalgraph_websocket_connections",
    "portalgraph_subscriptions_active",
    "portalgraph_events_received",
    "portalgraph_events_published",
    "portalgraph_events_duplicates",
    "portalgraph_events_dropped",
    "process_resident_memory_bytes",
}
Samples = dict[str, list[tuple[dict[str, str], float]]]


@pytest.fixture(scope="module")
def metered(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox, gateway: Gateway
) -> Iterator[Gateway]:
    # `gateway` taught the shared journal the demo citizens' account links (conftest), so
    # Erika's dashboard here asks her account areas.
    settings = gateway_settings.override(
        cache=True, breaker_failures=2, upstream_retries=1, rate_limit_viewer=5
    )
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    previous = sandbox.network.callbacks.url
    sandbox.network.callbacks.url = server.url
    gateway = Gateway(server.url)
    yield gateway
    gateway.http.close()
    sandbox.network.callbacks.url = previous
    loop_thread.call(server.stop())


def scrape(gateway: Gateway) -> tuple[str, Samples]:
    response = gateway.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(family.name, []).append((sample.labels, sample.value))
    return response.text, found


def value(samples: Samples, family: str, **labels: str) -> float:
    return sum(v for found, v in samples.get(family, []) if labels.items() <= found.items())


def test_the_bounded_label_caps_and_collapses() -> None:
    label = BoundedLabel(re.compile(r"^[a-z]+$"), 2, empty="anonymous", overflow="other")
    assert [label(v) for v in (None, "", "a", "b", "c", "a", "X-1")] == [
        "anonymous",
        "anonymous",
        "a",
        "b",
        "other",
        "a",
        "other",
    ]


def test_metrics_cover_operations_upstreams_cache_limits_and_live_updates(
    metered: Gateway, clean_sandbox: Sandbox
) -> None:
    for _ in range(2):  # the second answer comes from the cache
        assert "errors" not in metered.query(SEARCH, {"ars": "053150000000"})
    # Network file v2: one PVOG serves every portal's services; its breaker is `pvog`.
    clean_sandbox.fault("pvog", status=503)
    for _ in range(3):  # retried, then the breaker opens and refuses
        metered.query(SEARCH, {"ars": "051620008008"})
    token = clean_sandbox.demo_token("erika")
    refused = [metered.post(DASHBOARD, token=token).status_code for _ in range(7)]
    assert 429 in refused
    metered.http.post("/graphql", json={"query": "{ nope"})
    client = LiveClient(metered.url, clean_sandbox.demo_token("max"))
    client.subscribe("subscription { inboxMessageReceived { subject } }")
    time.sleep(0.8)  # the subscription takes the current inbox as its baseline first
    message = {"login": "max", "title": "Metriken"}  # to the BundID Postfach, Max is linked
    clean_sandbox.http.post(clean_sandbox.url("bund", "inbox") + "/_sandbox/messages", json=message)
    event = client.wait_for(lambda p: True, timeout=10)  # polled, published, received
    assert event["data"]["inboxMessageReceived"]["subject"] == "Metriken", event
    _, live = scrape(metered)
    client.close()
    for _ in range(50):  # the server notices the closed socket a moment later
        _, samples = scrape(metered)
        if not value(samples, "portalgraph_websocket_connections"):
            break
        time.sleep(0.05)
    assert set(samples) >= EXPECTED, EXPECTED - set(samples)
    assert value(samples, "portalgraph_graphql_operations", operation="ServiceSearch") == 5
    unparsed = 1 + refused.count(429)  # the parse error, and refusals before parsing
    assert value(samples, "portalgraph_graphql_operations", operation="unparsed") == unparsed
    assert value(samples, "portalgraph_graphql_errors", code="RATE_LIMITED") >= 1
    assert value(samples, "portalgraph_graphql_errors", code="GRAPHQL_PARSE_FAILED") == 1
    assert value(samples, "portalgraph_rate_limit_refusals", client="viewer") >= 1
    assert value(samples, "portalgraph_http_requests", route="/graphql", status="429") >= 1
    assert value(samples, "portalgraph_upstream_calls", portal="pvog") >= 1
    assert value(samples, "portalgraph_upstream_calls", **KOELN_ACCOUNTS) >= 1, samples[
        "portalgraph_upstream_calls"
    ]
    assert value(samples, "portalgraph_upstream_calls", portal="identity") >= 1
    assert value(samples, "portalgraph_upstream_errors", portal="pvog") >= 2
    assert value(samples, "portalgraph_upstream_retries", portal="pvog") >= 1
    assert value(samples, "portalgraph_upstream_refusals", reason="circuit_open") >= 1
    assert value(samples, "portalgraph_upstream_breaker_state", portal="pvog", state="open")
    closed = value(samples, "portalgraph_upstream_breaker_state", **KOELN_ACCOUNTS, state="closed")
    assert closed, samples["portalgraph_upstream_breaker_state"]
    assert value(samples, "portalgraph_cache_hits", portal="pvog") >= 1
    assert value(samples, "portalgraph_cache_misses", portal="pvog") >= 1
    assert value(samples, "portalgraph_events_published") >= 1
    assert value(samples, "portalgraph_events_received") >= 1
    assert value(live, "portalgraph_websocket_connections") >= 1
    assert value(live, "portalgraph_subscriptions_active") >= 1
    assert value(samples, "portalgraph_websocket_connections") == 0


def test_labels_carry_no_ids_or_personal_data_and_stay_bounded(
    metered: Gateway, clean_sandbox: Sandbox
) -> None:
    token = clean_sandbox.demo_token("lena")
    me = metered.query(
        "query Me { me { givenName familyName applications(first: 5) { edges { node { id } } } } }",
        token=token,
    )["data"]["me"]
    for n in range(MAX_OPERATION_NAMES + 20):  # a client inventing operation names
        metered.query(f"query Invented{n} {{ portals {{ id }} }}")
    metered.http.get("/attachments/some-message-id/some-attachment-id")
    metered.http.post("/hooks/fitconnect/koeln", content=b"{}")
    text, samples = scrape(metered)
    secrets = [token, me["givenName"], me["familyName"], "some-message-id"]
    secrets += [edge["node"]["id"] for edge in me["applications"]["edges"]]
    assert not [s for s in secrets if s in text]
    operations = {labels["operation"] for labels, _ in samples["portalgraph_graphql_operations"]}
    assert len(operations) <= MAX_OPERATION_NAMES + 3  # plus anonymous, other, unparsed
    assert value(samples, "portalgraph_graphql_operations", operation="other") >= 20
    routes = {labels["route"] for labels, _ in samples["portalgraph_http_requests"]}
    assert routes <= {
        "/graphql",
        "/metrics",
        "/attachments/{message_id}/{attachment_id}",
        "/hooks/fitconnect/{portal}",
        "other",
    }
    for family in samples.values():
        for labels, _ in family:
            for name, label in labels.items():
                assert len(label) <= 64, (name, label)
                assert re.fullmatch(r"[\w./{}:+-]*", label), (name, label)
