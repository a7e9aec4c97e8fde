"""`serve` freezes the start-up heap (gc.freeze, issue 21); an app object handed over is not.

The first case runs in a child process (a frozen heap stays frozen): GatewayServer with
an import string, as `portalgraph serve` hands uvicorn its app factory; the app answers
the freeze count it sees on its first request.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from graph.testing import LoopThread, UvicornServer


async def freeze_count(_: Request) -> PlainTextResponse:
    return PlainTextResponse(str(gc.get_freeze_count()))


def app() -> Starlette:
    """The factory the child process serves by import string."""
    return Starlette(routes=[Route("/", freeze_count)])


CHILD = textwrap.dedent(
    """
    import threading, urllib.request, uvicorn
    from graph.server import GatewayServer
    from graph.testing import free_port
    port = free_port()
    config = uvicorn.Config("tests.unit.graph.test_server_freeze:app", factory=True,
                            port=port, log_level="warning", lifespan="on")
    server = GatewayServer(config)
    def ask():
        import time
        while not server.started:
            time.sleep(0.02)
        print(urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode(), flush=True)
        server.should_exit = True
    threading.Thread(target=ask).start()
    server.run()
    """
)


def test_serve_freezes_what_start_up_made() -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    assert int(done.stdout.split()[0]) > 10_000, done.stdout  # modules, schema, app


def test_an_app_object_in_a_test_process_is_not_frozen() -> None:
    before = gc.get_freeze_count()
    thread = LoopThread()
    server = UvicornServer(app())
    try:
        thread.call(server.start())
        answer = httpx.get(server.url + "/", timeout=10, trust_env=False)
        assert int(answer.text) == before
    finally:
        thread.call(server.stop())
        thread.close()
