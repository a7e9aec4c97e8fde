"""A frontend served from another origin (a dev server) in headless Chromium: CORS with
the headers clients add, a WebSocket and an SSE subscription, and a refused origin."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin, Subprotocol

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Sandbox
from tests.e2e.test_graphiql_browser import chromium  # noqa: F401 - the fixture, shared
from tests.helpers.nodejs import node_json

TRANSPORT = Subprotocol("graphql-transport-ws")
PAGE = "<!doctype html><html><head><title>dev server</title></head><body>portal</body></html>"


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


@pytest.fixture(scope="module")
def dev_server(loop_thread: LoopThread) -> Iterator[int]:
    server = UvicornServer(Starlette(routes=[Route("/", page)]))
    loop_thread.call(server.start())
    yield server.port
    loop_thread.call(server.stop())


@pytest.fixture(scope="module")
def cors_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, dev_server: int
) -> Iterator[str]:
    # Only the dev server as `localhost`; the same page as 127.0.0.1 is another origin.
    settings = gateway_settings.override(
        cors_origins=f"http://localhost:{dev_server}", poll_interval=0.3
    )
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    yield server.url
    loop_thread.call(server.stop())


def test_a_page_on_another_origin_queries_and_subscribes(
    chromium: str,  # noqa: F811 - the fixture imported above
    cors_gateway: str,
    dev_server: int,
    clean_sandbox: Sandbox,
) -> None:
    report = node_json(
        "browser_origin.mjs",
        f"http://localhost:{dev_server}/",
        f"http://127.0.0.1:{dev_server}/",
        cors_gateway,
        clean_sandbox.demo_token("lena"),
        clean_sandbox.url("koeln", "inbox"),
        timeout=90,
    )
    allowed = report["allowed"]
    # The preflight admitted Authorization, apollographql-client-*, traceparent, tracestate,
    # baggage and sentry-trace; X-Request-ID is readable (exposed).
    assert allowed["post"]["status"] == 200, allowed
    # Every Portal of the network (a platform's municipalities each count), as asked directly.
    direct = httpx.post(cors_gateway + "/graphql", json={"query": "{ portals { id } }"})
    assert allowed["post"]["portals"] == len(direct.json()["data"]["portals"])
    assert allowed["post"]["me"]["unreadMessageCount"] >= 0
    assert allowed["post"]["requestId"]
    assert allowed["get"]["status"] == 200, allowed
    assert allowed["get"]["type"].startswith("application/graphql-response+json")
    live = report["live"]
    # Network file v2: the message reaches the one BundID Postfach (the Bund entry's inbox).
    assert live["ws"] == {"subject": "Vom Dev-Server", "portal": {"id": "bund"}}, live
    assert live["sse"] == {"subject": "Vom Dev-Server", "portal": {"id": "bund"}}, live
    # Another origin: the browser gets no CORS grant, and the WebSocket handshake is refused.
    refused = report["refused"]
    assert "Failed to fetch" in refused["post"]["error"], refused
    assert "Failed to fetch" in refused["get"]["error"], refused
    assert report["refusedLive"]["ws"] is None
    assert report["refusedLive"]["wsState"] in ("error", "closed 1006"), report["refusedLive"]


CLIENT_HEADERS = (
    "authorization, content-type, apollographql-client-name, apollographql-client-version,"
    " traceparent, tracestate, baggage, sentry-trace, graphql-preflight"
)


def test_preflight_admits_client_headers_and_names_the_setting_when_refusing(
    cors_gateway: str, dev_server: int
) -> None:
    request = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": CLIENT_HEADERS,
    }
    with httpx.Client(base_url=cors_gateway, trust_env=False) as http:
        ok = http.options(
            "/graphql", headers={"Origin": f"http://localhost:{dev_server}", **request}
        )
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == f"http://localhost:{dev_server}"
        refused = http.options("/graphql", headers={"Origin": "https://evil.example", **request})
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "CORS_REFUSED"
    assert "PORTALGRAPH_CORS_ORIGINS" in error["message"]
    assert "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9", "Disallowed CORS origin — add the origin to PORTALGRAPH_CORS_ORIGINS"),
        (
            None,
            "Nicht erlaubte CORS-Anfrage (origin) — den Origin in PORTALGRAPH_CORS_ORIGINS eintragen",
        ),
    ],
)
def test_a_websocket_from_a_refused_origin_gets_a_typed_403(
    cors_gateway: str, dev_server: int, accept_language: str | None, expected: str
) -> None:
    url = cors_gateway.replace("http://", "ws://") + "/graphql"
    headers = {"Accept-Language": accept_language} if accept_language else {}
    with pytest.raises(InvalidStatus) as refused:
        connect(
            url,
            subprotocols=[TRANSPORT],
            origin=Origin("https://evil.example"),
            additional_headers=headers,
            open_timeout=5,
        )
    response = refused.value.response
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(response.body)
    assert body == {
        "data": None,
        "errors": [{"message": expected, "extensions": {"code": "CORS_REFUSED"}}],
    }
    # The allowed origin still opens the socket.
    with connect(
        url,
        subprotocols=[TRANSPORT],
        origin=Origin(f"http://localhost:{dev_server}"),
        open_timeout=5,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
