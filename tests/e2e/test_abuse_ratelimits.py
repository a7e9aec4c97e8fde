"""Issue 18 finding 5: rate limits that hold (proxies, downloads, WebSocket operations).

Before: uvicorn trusted X-Forwarded-For from 127.0.0.1, so rotating it escaped the
anonymous limit; attachment downloads were not limited (300 downloads, 600 upstream
calls in 1.4 s); a WebSocket operation over the limit ended with a bare `complete`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from graph.app import create_app
from graph.server import server_options
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import INBOX, messages
from tests.helpers.abuse import figures, total_calls

LEGIT = "{ portals { id } }"


@pytest.fixture
def limited(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    """A gateway run as `portalgraph serve` runs it, with small limits."""
    settings = gateway_settings.override(rate_limit_anonymous=3, rate_limit_downloads=5)
    server = UvicornServer(create_app(settings), **server_options(settings))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_limit(limited: Gateway) -> None:
    codes = []
    for n in range(8):
        response = limited.http.post(
            "/graphql", json={"query": LEGIT}, headers={"X-Forwarded-For": f"10.0.0.{n}"}
        )
        codes.append(response.status_code)
    with figures("xff-rotation") as found:
        found.note("served", codes.count(200))
        found.note("limited", codes.count(429))
    assert codes.count(429) >= 5, codes


def test_a_trusted_proxy_forwards_the_client_address() -> None:
    settings = Settings().override(trusted_proxies="10.1.0.0/16")
    options = server_options(settings)
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.1.0.0/16"
    assert server_options(Settings())["proxy_headers"] is False


def test_attachment_downloads_are_rate_limited(limited: Gateway, clean_sandbox: Sandbox) -> None:
    token = clean_sandbox.demo_token("erika")
    found = messages(limited.query(INBOX, token=token))
    url = next(a for m in found for a in m["attachments"])["downloadUrl"]
    clean_sandbox.reset_stats()
    codes = [
        limited.http.get(url, headers={"Authorization": f"Bearer {token}"}).status_code
        for _ in range(20)
    ]
    with figures("downloads-20") as found_figures:
        found_figures.note("served", codes.count(200))
        found_figures.note("upstream_calls", total_calls(clean_sandbox))
    assert codes.count(200) == 5, codes
    assert codes.count(429) == 15, codes
    assert total_calls(clean_sandbox) <= 2 * 5


def test_a_websocket_operation_over_the_limit_gets_a_rate_limited_error(
    limited: Gateway,
) -> None:
    url = limited.url.replace("http://", "ws://") + "/graphql"
    answers: list[dict[str, Any]] = []
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        for n in range(5):
            ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": LEGIT}}))
            while (message := json.loads(ws.recv(timeout=5)))["type"] == "ping":
                pass
            answers.append(message)
            if message["type"] == "next":
                assert json.loads(ws.recv(timeout=5))["type"] == "complete"
    kinds = [a["type"] for a in answers]
    assert kinds[:3] == ["next"] * 3, answers
    for refused in answers[3:]:
        assert refused["type"] == "error", answers
        assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED", refused
