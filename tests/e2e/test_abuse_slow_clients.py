"""Issue 18 finding 6: slow request heads and stalled bodies time out.

Before: a head sent one byte at a time, or a body that stalled, held its connection for
ever (uvicorn only times out idle keep-alive connections).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from graph.app import create_app
from graph.server import server_options
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.helpers.abuse import figures


@pytest.fixture(scope="module")
def impatient(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    settings = gateway_settings.override(client_header_timeout=0.5, client_body_timeout=0.5)
    server = UvicornServer(create_app(settings), **server_options(settings))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


def open_connection(gateway: Gateway) -> socket.socket:
    host, port = gateway.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def answer_or_close(sock: socket.socket) -> tuple[bytes, float]:
    started = time.monotonic()
    data = b""
    try:
        while piece := sock.recv(65536):
            data += piece
    except TimeoutError:
        pass
    return data, time.monotonic() - started


def test_a_request_head_that_never_completes_is_closed(impatient: Gateway) -> None:
    with open_connection(impatient) as sock:
        sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        data, waited = answer_or_close(sock)
    with figures("slow-head") as found:
        found.note("closed_after_s", waited)
    assert data == b""
    assert waited < 3, "closed by the head timeout, not the client's"


def test_a_silent_connection_is_closed(impatient: Gateway) -> None:
    with open_connection(impatient) as sock:
        data, waited = answer_or_close(sock)
    assert data == b""
    assert waited < 3


def test_a_stalled_body_gets_408(impatient: Gateway) -> None:
    with open_connection(impatient) as sock:
        head = (
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"query": '
        )
        sock.sendall(head)
        data, waited = answer_or_close(sock)
    with figures("stalled-body") as found:
        found.note("answered_after_s", waited)
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert waited < 3


def test_a_slow_but_steady_client_is_served(impatient: Gateway) -> None:
    # Under the idle timeout between parts, a body may take longer than the timeout in total.
    with open_connection(impatient) as sock:
        body = b'{"query": "{ portals { id } }"}'
        sock.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        for start in range(0, len(body), 10):
            time.sleep(0.2)
            sock.sendall(body[start : start + 10])
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 200"), data[:200]
