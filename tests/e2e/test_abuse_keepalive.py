"""A malformed request leaves nothing behind on its keep-alive connection.

Found after tests/e2e/test_abuse_malformed.py ran on the shared gateway: a later
submission (a multipart upload, which has no request deadline of its own) failed at once
with UPSTREAM_TIMEOUT, its deadline 2.7 s in the past. The 30,000-deep JSON body (over
uvicorn's 64 KiB flow-control mark) had paused reading; resuming it from inside that
request re-registered the connection's reader with a copy of the request's context
(CPython's asyncio, python/cpython#140947), so every later request on the connection
started with the old request's deadline in its context variables.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Sandbox

DEADLINE = 0.5
SERVICES = '{ services(ars: "053150000000", first: 1) { totalCount } }'


@pytest.fixture(scope="module")
def url(loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox) -> Iterator[str]:
    server = UvicornServer(create_app(gateway_settings.override(request_deadline=DEADLINE)))
    loop_thread.call(server.start())
    yield server.url
    loop_thread.call(server.stop())


def big_malformed_body() -> bytes:
    """100 KB: over uvicorn's 64 KiB mark, so reading pauses while the request runs."""
    depth = 50_000
    return b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * depth + b"]" * depth + b"}}"


def test_a_later_request_on_the_connection_keeps_its_own_deadline(url: str) -> None:
    # One connection for all requests: the second reuses the first one's socket.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(base_url=url, limits=limits, timeout=10, trust_env=False) as http:
        refused = http.post(
            "/graphql", content=big_malformed_body(), headers={"content-type": "application/json"}
        )
        assert refused.status_code == 400, refused.text
        time.sleep(DEADLINE * 2)  # the first request's deadline is now in the past
        # A stream has no deadline of its own (it outlives any): it must not inherit one.
        streamed = http.post(
            "/graphql",
            json={"query": SERVICES},
            headers={"Accept": "text/event-stream", "GraphQL-Preflight": "1"},
        )
        plain = http.post("/graphql", json={"query": SERVICES})
    assert "UPSTREAM_TIMEOUT" not in streamed.text, streamed.text
    assert '"totalCount"' in streamed.text, streamed.text
    assert plain.json()["data"]["services"]["totalCount"] > 0, plain.text
