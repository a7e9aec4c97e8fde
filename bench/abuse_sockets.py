"""Issue 18's attacks on connections: WebSockets (#6), slow clients (#6), malformed input (#8)."""

from __future__ import annotations

import json
import socket
import time
from contextlib import ExitStack
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.abuse_attacks import Row, Target, codes, short_lived
from bench.abuse_watch import MIB, Watch
from tests.helpers.callbacks import signed

TRANSPORT = Subprotocol("graphql-transport-ws")
LEGACY = Subprotocol("graphql-ws")


def ws(t: Target, protocol: Subprotocol = TRANSPORT, **options: Any) -> ClientConnection:
    url = t.gateway.url.replace("http://", "ws://") + "/graphql"
    opened: ClientConnection = connect(url, subprotocols=[protocol], open_timeout=10, **options)
    return opened


def close_code(sock: ClientConnection, timeout: float) -> int | None:
    try:
        while True:
            sock.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None  # still open


def init(sock: ClientConnection, payload: dict[str, Any] | None = None) -> None:
    sock.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
    assert json.loads(sock.recv(timeout=10))["type"] == "connection_ack"


def token_expiry(t: Target, token: str) -> Row:
    closed = []
    for protocol in (TRANSPORT, LEGACY):
        expiring = short_lived(t, token, 2)
        with ws(t, protocol) as sock:
            init(sock, {"Authorization": f"Bearer {expiring}"})
            started = time.monotonic()
            code = close_code(sock, timeout=10)
            closed.append(f"{protocol}: {code} after {time.monotonic() - started:.1f} s")
    return "6", "socket signed in with a token expiring in 2 s", "; ".join(closed)


def idle_sockets(t: Target) -> Row:
    n = t.n(500, 60)
    opened = refused = 0
    with ExitStack() as stack, Watch(t.pid) as w:
        for _ in range(n):
            try:
                stack.enter_context(ws(t))
                opened += 1
            except InvalidStatus:
                refused += 1
    return "6", f"{n} idle sockets from one client", f"{opened} open, {refused} refused; {w.rss()}"


def big_frame(t: Target) -> Row:
    size = t.n(15 * MIB, 2 * MIB)
    with ws(t, max_size=None) as sock, Watch(t.pid) as w:
        init(sock)
        query = "{ __typename }" + " " * size
        try:
            sock.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            code: object = close_code(sock, timeout=10)
        except ConnectionClosed as closed:  # refused while the frame was still being sent
            code = closed.rcvd.code if closed.rcvd else "(reset while sending)"
    return "6", f"{size / MIB:.0f} MiB frame", f"close {code}; {w.rss()}"


def no_init(t: Target) -> Row:
    with ws(t, LEGACY) as sock:
        started = time.monotonic()
        code = close_code(sock, timeout=20)
    return (
        "6",
        "legacy socket never sends connection_init",
        f"close {code} after {time.monotonic() - started:.1f} s",
    )


def stall(t: Target, sent: bytes) -> str:
    """Send `sent` on a fresh connection and wait: what comes back, and after how long."""
    host, port = t.gateway.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        try:
            first = sock.recv(65536)  # the answer's first bytes, or b"" when closed unanswered
            outcome = first.split(b"\r\n", 1)[0].decode() or "closed"
        except TimeoutError:
            outcome = "still open"
    return f"{outcome} after {time.monotonic() - started:.1f} s"


def slow_head(t: Target) -> Row:
    return "6", "request head never completes", stall(t, b"POST /graphql HTTP/1.1\r\nX-Slow: ")


def stalled_body(t: Target) -> Row:
    head = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"Content-Length: 100\r\n\r\n{"
    return "6", "request body stalls after 1 of 100 bytes", stall(t, head)


def socket_over_limit(t: Target) -> Row:
    """After the anonymous limit is spent (bench/abuse.py runs this last)."""
    with ws(t) as sock:
        init(sock)
        sock.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        )
        while (message := json.loads(sock.recv(timeout=10)))["type"] == "ping":
            pass
    code = (message.get("payload") or [{}])[0].get("extensions", {}).get("code")
    return "5", "WebSocket operation over the anonymous limit", f"{message['type']} {code}"


def malformed(t: Target, token: str) -> Row:
    nested = (
        b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"
    )
    json_type = {"content-type": "application/json"}
    seen = {"nested 50,000": codes(t.http.post("/graphql", content=nested, headers=json_type))}
    operations = json.dumps(
        {"query": "mutation($f: Upload) { __typename }", "variables": {"f": None}}
    )
    upload = t.http.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps([["variables.f"]])},
        files={"0": ("a.txt", b"hello", "text/plain")},
        headers={"GraphQL-Preflight": "1", "Authorization": f"Bearer {token}"},
    )
    seen["map as a list"] = codes(upload)
    surrogate = b'{"query": "query($s: String) { __typename }", "variables": {"s": "\\ud800"}}'
    seen["lone surrogate"] = codes(t.http.post("/graphql", content=surrogate, headers=json_type))
    body = b'{"submissions": []}'
    headers = signed("x" * 32, body) | {"callback-timestamp": "\u00b2" * 10}
    raw = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]
    seen["callback timestamp ²"] = str(
        t.http.post("/hooks/fitconnect/koeln", content=body, headers=raw).status_code
    )
    with ws(t, LEGACY) as sock:
        init(sock)
        sock.send(json.dumps({"type": "start"}))
        seen["legacy start without id"] = f"close {close_code(sock, timeout=5)}"
    return "8", "malformed bodies, headers, frames", "; ".join(f"{k}: {v}" for k, v in seen.items())
