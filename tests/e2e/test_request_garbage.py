"""No reference cycles per request (issue 21): what a request allocates is freed by
reference counting when it ends, not left for the cyclic collector.

A gateway runs in this process (uvicorn on the test loop thread); with the collector
disabled, a few hundred requests go to it over one keep-alive HTTP connection (the
standard library's client, which itself leaves no cycles), a public search with the
authority join and a signed-in dashboard. `gc.collect()` then finds what reference
counting could not free; DEBUG_SAVEALL keeps it for the assertion.
"""

from __future__ import annotations

import gc
import http.client
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.helpers.citizen_links import learn_demo_links

SEARCH = "{ services(first: 20) { edges { node { name responsibleAuthority { name } } } } }"
DASHBOARD = """{ me { applications(first: 20) { edges { node { status service { name }
  payments { status } } } } inbox(first: 20) { edges { node { subject } } } } }"""
REQUESTS = 150  # of each kind
# Objects per request the collector may find (measured: 0).
PER_REQUEST = 0.1
# A closed connection of asyncio's selector loop is a cycle of the standard library (the
# transport keeps its own bound `_read_ready` method): its transport, socket, socket
# wrapper, method and dict. Upstream keep-alive connections that end during the run
# (both ends are in this process) are per connection, not per request; uvloop, which
# `portalgraph serve` runs on, has no such cycle.
TRANSPORT = "asyncio.selector_events._SelectorSocketTransport"
PER_CONNECTION = (
    "socket.socket",
    "asyncio.trsock.TransportSocket",
    "builtins.method",
    "builtins.dict",
)


@pytest.fixture(scope="module")
def own_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[str]:
    # The sandbox shares this process: callbacks it is still retrying to the gateways of
    # earlier test files (test_submissions) would leave their HTTP client's cycles in the
    # count. Those gateways are gone; the deliveries end here.
    loop_thread.call(sandbox.network.callbacks.close())
    server = UvicornServer(create_app(gateway_settings.override(poll_interval=3600)))
    loop_thread.call(server.start())
    learner = Gateway(server.url)
    learn_demo_links(learner, sandbox.demo_token)
    learner.http.close()
    yield server.url
    loop_thread.call(server.stop())


def post(connection: http.client.HTTPConnection, query: str, token: str | None) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    connection.request("POST", "/graphql", json.dumps({"query": query}), headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    assert response.status == 200, body
    assert "errors" not in body, body
    return body["data"]


def garbage_of(url: str, query: str, token: str | None) -> tuple[Counter[str], Any]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
    for _ in range(10):  # warm: parser and validation caches, pools, lazy imports
        post(connection, query, token)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(REQUESTS):
            data = post(connection, query, token)
        gc.collect()
        found = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        connection.close()
    return found, data


def of_requests(found: Counter[str]) -> Counter[str]:
    """`found` without the closed connections' objects (one of each kind per transport)."""
    closed = found.pop(TRANSPORT, 0)
    for kind in PER_CONNECTION:
        found[kind] -= min(found[kind], closed)
    return +found


def test_a_public_search_leaves_nothing_to_the_cyclic_collector(own_gateway: str) -> None:
    found, data = garbage_of(own_gateway, SEARCH, None)
    assert len(data["services"]["edges"]) == 20  # the requests did load data
    found = of_requests(found)
    assert found.total() <= REQUESTS * PER_REQUEST, found.most_common(20)


def test_a_dashboard_leaves_nothing_to_the_cyclic_collector(
    own_gateway: str, sandbox: Sandbox
) -> None:
    found, data = garbage_of(own_gateway, DASHBOARD, sandbox.demo_token("erika"))
    assert data["me"]["applications"]["edges"]  # her linked account areas answered
    assert data["me"]["inbox"]["edges"]
    found = of_requests(found)
    assert found.total() <= REQUESTS * PER_REQUEST, found.most_common(20)
