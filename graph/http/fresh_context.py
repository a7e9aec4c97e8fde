"""Every HTTP request and WebSocket starts in the server's own context, never in one a
previous request on its keep-alive connection left behind.

With CPython's asyncio loop a request's context variables can outlive it: a body over
uvicorn's 64 KiB flow-control mark pauses reading, and resuming it from inside the request
re-registers the connection's reader with a copy of the request's context
(python/cpython#140947). uvicorn creates each later request's task from that reader's
callback, so the task starts with the old request's deadline, request id, audit log and
whatever request-scoped variable comes next (tests/e2e/test_fresh_context.py sets every
`ContextVar` in graph/ and sources/).

Comparing contexts costs well under a microsecond; only a tainted request pays for a task
of its own (about 15 µs, docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextvars

from starlette.types import ASGIApp, Receive, Scope, Send


class FreshContext:
    """Runs each HTTP request and WebSocket in a copy of the server's context.

    The server's context is the one the lifespan starts in, or, without a lifespan, the
    first request's: a request can inherit stale variables only from an earlier request
    on its own connection, which this layer saw first.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.server_context: contextvars.Context | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        current = contextvars.copy_context()
        if self.server_context is None:
            self.server_context = current
        # An empty context is clean too (uvicorn's opt-in `reset_contextvars` gives one).
        if scope["type"] == "lifespan" or not current or current == self.server_context:
            await self.app(scope, receive, send)
            return
        # A coroutine runs in its task's context: a clean one needs a task of its own.
        # Cancelling this task (the server's) cancels the awaited one with it.
        await asyncio.create_task(
            _call(self.app, scope, receive, send), context=self.server_context.copy()
        )


async def _call(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    await app(scope, receive, send)  # a coroutine for create_task: an ASGIApp is any awaitable
