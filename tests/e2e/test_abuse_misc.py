"""Issue 18 finding 9 over HTTP: redirects, payment return URLs, the federation SDL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import DASHBOARD, START, apps
from tests.helpers.production import production as production_settings


def test_a_foreign_host_never_gets_a_redirect_to_itself(gateway: Gateway) -> None:
    response = gateway.http.get(
        "/graphql/", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert "evil.example" not in response.headers.get("location", "")
    assert not 300 <= response.status_code < 400, response.headers


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "https://koeln.de.evil.example/",
        "javascript:alert(1)",
        "https://user@evil.example/",
    ],
)
def test_start_payment_refuses_a_return_url_outside_the_portal(
    gateway: Gateway, clean_sandbox: Sandbox, url: str
) -> None:
    erika = clean_sandbox.demo_token("erika")
    application = apps(gateway.query(DASHBOARD, token=erika))[0]
    data = {
        "applicationId": application["id"],
        "requestId": "redirect-check",
        "items": [{"description": "Gebühr", "amountCents": 3700}],
        "totalCents": 3700,
        "redirectUrl": url,
    }
    body = gateway.query(START, {"input": data}, token=erika)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "redirectUrl"}
    portal = application["portal"]["id"]
    assert not any(k.startswith("POST") for k in clean_sandbox.calls(portal, "payments"))


@pytest.fixture(scope="module")
def production(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    settings = production_settings(gateway_settings, federation_token="router-secret")
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


def test_the_sdl_is_only_for_the_router_in_production(production: Gateway) -> None:
    anonymous = production.post("{ _service { sdl } }").json()
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN", anonymous
    assert "sdl" not in str(anonymous.get("data"))
    router = production.http.post(
        "/graphql",
        json={"query": "{ _service { sdl } }"},
        headers={"X-Federation-Token": "router-secret"},
    ).json()
    assert "type Service" in router["data"]["_service"]["sdl"]


@pytest.fixture(scope="module")
def trusted_only(
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Gateway]:
    manifest = tmp_path_factory.mktemp("documents") / "persisted-documents.json"
    manifest.write_text(
        json.dumps({hashlib.sha256(b"{ portals { id } }").hexdigest(): "{ portals { id } }"})
    )
    server = UvicornServer(create_app(gateway_settings.override(trusted_documents=str(manifest))))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


UNKNOWN = "subscription { inboxMessageReceived { subject } }"


def test_a_trusted_document_refusal_over_sse_is_an_error_event(trusted_only: Gateway) -> None:
    with trusted_only.http.stream(
        "POST",
        "/graphql",
        json={"query": UNKNOWN},
        headers={"Accept": "text/event-stream", "GraphQL-Preflight": "1"},
        timeout=10,
    ) as response:
        text = "".join(response.iter_text())
    assert response.status_code < 500
    assert "PERSISTED_QUERY" in text or "TRUSTED" in text or "errors" in text, text
    assert "complete" in text or response.status_code == 400, text


def test_a_trusted_document_refusal_over_websocket_is_an_error(trusted_only: Gateway) -> None:
    url = trusted_only.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": UNKNOWN}}))
        while (message := json.loads(ws.recv(timeout=5)))["type"] == "ping":
            pass
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"], message
