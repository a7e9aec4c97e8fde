"""A small graphql-transport-ws client over a real socket, for the live-update tests."""

from __future__ import annotations

import json
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

TRANSPORT_WS = Subprotocol("graphql-transport-ws")


class LiveClient:
    def __init__(
        self, url: str, token: str | None, *, protocol: str = "graphql-transport-ws"
    ) -> None:
        self.ws: ClientConnection = connect(
            url.replace("http://", "ws://") + "/graphql",
            subprotocols=[Subprotocol(protocol)],
            legacy=True,
        )
        self.protocol = protocol
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        self.send({"type": "connection_init", "payload": payload})
        ack = self.receive(5)
        assert ack["type"] == "connection_ack", ack

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        return message

    def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, op_id: str = "1"
    ) -> None:
        kind = "subscribe" if self.protocol == "graphql-transport-ws" else "start"
        self.send(
            {"id": op_id, "type": kind, "payload": {"query": query, "variables": variables or {}}}
        )

    def events(self, timeout: float) -> list[dict[str, Any]]:
        """Every `next`/`data` payload that arrives within `timeout` seconds."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.receive(left)
            except TimeoutError:
                break
            if message["type"] in ("next", "data"):
                found.append(message["payload"])
            elif message["type"] == "ping":
                self.send({"type": "pong"})
        return found

    def wait_for(self, predicate: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.receive(left)
            if message["type"] in ("next", "data") and predicate(message["payload"]):
                payload: dict[str, Any] = message["payload"]
                return payload
            if message["type"] == "error":
                raise AssertionError(message)
        raise TimeoutError("no matching event")

    def close_code(self, timeout: float) -> int | None:
        try:
            while True:
                self.ws.recv(timeout=timeout)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    def close(self) -> None:
        self.ws.close()
