"""Serve an ASGI app on loopback for the length of a fixture."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.types import ASGIApp

from graph.testing import LoopThread, UvicornServer


def serving(loop_thread: LoopThread, app: ASGIApp) -> Iterator[str]:
    """Yields the base URL while `app` runs (use with `yield from` in a fixture)."""
    server = UvicornServer(app)
    loop_thread.call(server.start())
    try:
        yield server.url
    finally:
        loop_thread.call(server.stop())
