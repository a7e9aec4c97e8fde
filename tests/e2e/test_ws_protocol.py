"""graphql-transport-ws close codes the other live tests do not reach, over a raw socket.

4403 (rejected token) lives in e2e/test_identity.py, 4408 (init timeout) and ping/pong in
e2e/test_live_limits.py; here are the protocol violations a buggy client commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.conftest import Gateway, Sandbox
from tests.helpers.live import TRANSPORT_WS, LiveClient

INBOX = "subscription { inboxMessageReceived { subject } }"


@pytest.fixture
def socket(gateway: Gateway) -> Iterator[ClientConnection]:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[TRANSPORT_WS]) as ws:
        yield ws


def send(ws: ClientConnection, message: dict[str, Any] | str) -> None:
    ws.send(message if isinstance(message, str) else json.dumps(message))


def close_code(ws: ClientConnection) -> int | None:
    try:
        while True:
            ws.recv(timeout=5)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


@pytest.mark.parametrize(
    "message",
    ["not json", {"type": "no-such-type"}, {"id": 1, "type": "subscribe"}],
    ids=["not-json", "unknown-type", "no-payload"],
)
def test_an_invalid_message_closes_with_4400(
    socket: ClientConnection, message: dict[str, Any] | str
) -> None:
    send(socket, {"type": "connection_init", "payload": {}})
    assert json.loads(socket.recv(timeout=5))["type"] == "connection_ack"
    send(socket, message)
    assert close_code(socket) == 4400


def test_subscribe_before_the_ack_closes_with_4401(socket: ClientConnection) -> None:
    send(socket, {"id": "1", "type": "subscribe", "payload": {"query": "{ portals { id } }"}})
    assert close_code(socket) == 4401


def test_a_second_connection_init_closes_with_4429(socket: ClientConnection) -> None:
    send(socket, {"type": "connection_init", "payload": {}})
    assert json.loads(socket.recv(timeout=5))["type"] == "connection_ack"
    send(socket, {"type": "connection_init", "payload": {}})
    assert close_code(socket) == 4429


def test_a_duplicate_operation_id_closes_with_4409(gateway: Gateway, sandbox: Sandbox) -> None:
    client = LiveClient(gateway.url, sandbox.demo_token("lena"))
    try:
        client.subscribe(INBOX, op_id="same")
        client.subscribe(INBOX, op_id="same")
        assert client.close_code(5) == 4409
    finally:
        client.close()


def test_pings_get_pongs_and_unsolicited_pongs_are_fine(socket: ClientConnection) -> None:
    send(socket, {"type": "connection_init", "payload": {}})
    assert json.loads(socket.recv(timeout=5))["type"] == "connection_ack"
    send(socket, {"type": "pong", "payload": {"note": "heartbeat"}})
    send(socket, {"type": "ping", "payload": {"at": 1}})
    assert json.loads(socket.recv(timeout=5)) == {"type": "pong"}
    # Still open: a single-result operation answers after the pings.
    send(socket, {"id": "q", "type": "subscribe", "payload": {"query": "{ portals { id } }"}})
    assert json.loads(socket.recv(timeout=5))["type"] == "next"
