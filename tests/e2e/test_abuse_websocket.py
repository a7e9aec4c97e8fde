"""Issue 18 findings 5, 6, 8 and 9 over WebSockets: malformed frames, limits, expiry.

Before: a frame nested 30,000 deep raised RecursionError; a legacy `start` without payload
or id dropped the socket without a close frame.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from sandbox.idp_grants import citizen_claims
from tests.conftest import Gateway, Sandbox
from tests.helpers.abuse import figures, total_calls
from tests.helpers.submitting import fresh_citizen

LEGACY = Subprotocol("graphql-ws")
TRANSPORT = Subprotocol("graphql-transport-ws")


def open_socket(gateway: Gateway, protocol: Subprotocol, **options: Any) -> ClientConnection:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    ws: ClientConnection = connect(url, subprotocols=[protocol], **options)
    return ws


def close_code(ws: ClientConnection, timeout: float = 5) -> int | None:
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_a_deeply_nested_frame_is_refused_cleanly(gateway: Gateway) -> None:
    # graphql-transport-ws closes with 4400 ("must be valid JSON").
    with open_socket(gateway, TRANSPORT) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send('{"type": "subscribe", "id": "1", "payload": ' + "[" * 30_000 + "]" * 30_000 + "}")
        assert close_code(ws) == 4400


def test_a_deeply_nested_legacy_frame_is_ignored_and_the_socket_keeps_serving(
    gateway: Gateway,
) -> None:
    # The legacy protocol ignores what it cannot parse; the socket must survive it.
    with open_socket(gateway, LEGACY) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send('{"type": "start", "id": "1", "payload": ' + "[" * 30_000 + "]" * 30_000 + "}")
        # Any answer proves the socket alive: an anonymous inbox subscription is refused.
        inbox = "subscription { inboxMessageReceived { subject } }"
        start = {"type": "start", "id": "2", "payload": {"query": inbox}}
        ws.send(json.dumps(start))
        while (message := json.loads(ws.recv(timeout=5)))["type"] == "ka":
            pass
        assert message["id"] == "2", message
        assert message["type"] in ("error", "data"), message


@pytest.mark.parametrize(
    "message",
    [
        {"type": "start"},
        {"type": "start", "id": "1"},
        {"type": "start", "payload": {"query": "{ __typename }"}},
    ],
    ids=["no-id-no-payload", "no-payload", "no-id"],
)
def test_a_legacy_start_without_payload_or_id_closes_cleanly(
    gateway: Gateway, message: dict[str, Any]
) -> None:
    with open_socket(gateway, LEGACY) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send(json.dumps(message))
        code = close_code(ws)
    assert code == 4400, code


def short_lived_token(sandbox: Sandbox, seconds: float) -> str:
    citizen = fresh_citizen(sandbox, "koeln")
    now = int(time.time())
    claims = citizen_claims(citizen) | {
        "iss": sandbox.issuer,
        "aud": "portalgraph",
        "iat": now,
        "exp": now + seconds,
        "azp": "portalgraph-graphiql",
    }
    return sandbox.sign(claims)


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY], ids=["transport-ws", "legacy"])
def test_a_socket_closes_with_4403_when_its_token_expires(
    gateway: Gateway, sandbox: Sandbox, protocol: Subprotocol
) -> None:
    token = short_lived_token(sandbox, 2)
    with open_socket(gateway, protocol) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        ws.send(json.dumps(init))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        started = time.monotonic()
        code = close_code(ws, timeout=8)
        with figures(f"ws-token-expiry-{protocol}") as found:
            found.note("closed_after_s", time.monotonic() - started)
    assert code == 4403, code


def query_over_socket(ws: ClientConnection, op_id: str, query: str) -> dict[str, Any]:
    ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
    while (message := json.loads(ws.recv(timeout=10)))["type"] != "next":
        assert message["type"] in ("ping", "complete"), message
    payload: dict[str, Any] = message["payload"]
    return payload


def test_each_operation_on_a_socket_reads_fresh_data(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    query = '{ services(ars: "053150000000", first: 1) { totalCount } }'
    with open_socket(gateway, TRANSPORT) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        query_over_socket(ws, "1", query)
        clean_sandbox.reset_stats()
        clean_sandbox.fault("pvog", status=503)  # v2: one PVOG serves every portal's services
        second = query_over_socket(ws, "2", query)
        with figures("ws-second-operation") as found:
            found.note("upstream_calls", total_calls(clean_sandbox))
    # A connection-wide context answered from its DataLoader cache: no call, no outage.
    assert total_calls(clean_sandbox) >= 1
    assert any(e["extensions"].get("portalId") == "pvog" for e in second.get("errors", []))


@pytest.fixture(scope="module")
def strict_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    settings = gateway_settings.override(
        connection_init_timeout=0.5, ws_max_per_client=3, max_body_bytes=65536
    )
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY], ids=["transport-ws", "legacy"])
def test_a_socket_without_connection_init_closes_with_4408(
    strict_gateway: Gateway, protocol: Subprotocol
) -> None:
    with open_socket(strict_gateway, protocol) as ws:
        assert close_code(ws, timeout=3) == 4408


def test_open_sockets_per_client_are_capped(strict_gateway: Gateway) -> None:
    sockets = [open_socket(strict_gateway, TRANSPORT, legacy=True) for _ in range(3)]
    try:
        for ws in sockets:
            ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        with pytest.raises(InvalidStatus) as refused:
            open_socket(strict_gateway, TRANSPORT, legacy=True)
        assert refused.value.response.status_code == 403
    finally:
        for ws in sockets:
            ws.close()
    time.sleep(0.2)
    with open_socket(strict_gateway, TRANSPORT):
        pass  # a freed slot is usable again


def test_a_frame_above_the_body_limit_closes_with_1009(strict_gateway: Gateway) -> None:
    with open_socket(strict_gateway, TRANSPORT, max_size=None) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        query = "{ __typename }" + " " * 100_000
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        assert close_code(ws) == 1009


def test_a_second_legacy_connection_init_closes_with_4429(gateway: Gateway) -> None:
    # Found by the fuzz suite: each extra init started a keep-alive task that outlived the socket.
    with open_socket(gateway, LEGACY) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert close_code(ws) == 4429


@pytest.mark.parametrize("frame", ["true", "[]", "3", '"x"', '{"type": 1}'])
def test_a_frame_that_is_no_message_object_closes_with_4400(gateway: Gateway, frame: str) -> None:
    # Found by the fuzz suite: graphql-transport-ws indexed whatever JSON it got.
    with open_socket(gateway, TRANSPORT) as ws:
        ws.send(frame)
        assert close_code(ws) == 4400
