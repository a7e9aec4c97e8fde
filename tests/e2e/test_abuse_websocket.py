"""Issue 18 findings 5, 6, 8 and 9 over WebSockets: malformed frames, limits, expiry.

Before: a frame nested 30,000 deep raised RecursionError; a legacy `start` without payload
or id dropped the socket without a close frame.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.conftest import Gateway

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
