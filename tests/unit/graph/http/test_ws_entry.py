"""The WebSocket entry (graph/http/ws_entry.py): what every socket passes, in one frame."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from graph.http.ws_entry import SocketEntry, route_path
from graph.ops.logging import request_id
from sources.transport import deadline_after, remaining_time


def socket_scope(path: str = "/graphql", client: str = "10.0.0.1", **extra: Any) -> Any:
    return {"type": "websocket", "path": path, "client": (client, 1234), "headers": [], **extra}


def entry(view: Any, per_client: int = 2) -> tuple[SocketEntry, Gauge]:
    gauge = Gauge("open_sockets", "test", registry=CollectorRegistry())
    return SocketEntry(view, path="/graphql", per_client=per_client, gauge=gauge), gauge


async def no_receive() -> Any:
    raise AssertionError("not read")


async def test_a_socket_on_another_path_is_closed_as_starlette_closed_it() -> None:
    sent: list[Any] = []

    async def view(*_: Any) -> None:
        raise AssertionError("the view is for /graphql only")

    async def send(message: Any) -> None:
        sent.append(message)

    socket, gauge = entry(view)
    await socket(socket_scope("/other"), no_receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]
    assert gauge._value.get() == 0


async def test_a_client_over_its_cap_is_refused_and_a_closed_socket_frees_its_slot() -> None:
    release = asyncio.Event()
    seen: list[tuple[str, float | None]] = []

    async def view(*_: Any) -> None:
        seen.append((request_id.get(), remaining_time()))
        await release.wait()

    refused: list[Any] = []

    async def send(message: Any) -> None:
        refused.append(message)

    socket, gauge = entry(view, per_client=1)
    with deadline_after(5.0):  # a deadline in the context the connection's task copied
        first = asyncio.create_task(socket(socket_scope(), no_receive, send))
    await asyncio.sleep(0)
    assert gauge._value.get() == 1
    await socket(socket_scope(), no_receive, send)
    assert refused == [{"type": "websocket.close", "code": 1008, "reason": "Too many sockets"}]
    release.set()
    await socket(socket_scope(client="10.0.0.2"), no_receive, send)  # another client: admitted
    await first
    assert socket.clients.open == {}
    assert gauge._value.get() == 0
    assert len(seen) == 2
    made, deadline = seen[0]
    assert deadline is None  # no request deadline for a socket
    assert len(made) == 32  # a request id for its log lines (not the default "-")


def test_the_route_path_is_below_the_mount_point() -> None:
    assert route_path({"path": "/graphql", "root_path": ""}) == "/graphql"
    assert route_path({"path": "/gw/graphql", "root_path": "/gw"}) == "/graphql"
    assert route_path({"path": "/gwx/graphql", "root_path": "/gw"}) == "/gwx/graphql"
