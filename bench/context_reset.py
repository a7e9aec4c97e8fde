"""What FreshContext costs per request: `.venv/bin/python -m bench.context_reset`.

Three ways through a no-op ASGI app, in one process so noise hits all of them: bare, through
the layer with a clean context (every request but those after a >64 KiB body on their
keep-alive connection), and through it with a tainted one (a task of its own).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable

from starlette.types import Message, Receive, Scope, Send

from graph.http.fresh_context import FreshContext

ROUNDS = 50_000
TAINT: contextvars.ContextVar[str] = contextvars.ContextVar("bench_taint", default="-")
SCOPE: Scope = {"type": "http"}


async def noop(scope: Scope, receive: Receive, send: Send) -> None:
    return None


async def receive() -> Message:
    return {"type": "http.disconnect"}


async def send(message: Message) -> None:
    return None


async def per_call(app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> float:
    start = time.perf_counter()
    for _ in range(ROUNDS):
        await app(SCOPE, receive, send)
    return (time.perf_counter() - start) / ROUNDS * 1e6


async def main() -> None:
    layer = FreshContext(noop)
    await layer({"type": "lifespan"}, receive, send)  # the server's context, as uvicorn's
    for _ in range(2):  # the first pass warms up
        bare = await per_call(noop)
        clean = await per_call(layer)
        token = TAINT.set("left behind")
        tainted = await per_call(layer)
        TAINT.reset(token)
    print(f"bare {bare:.2f} µs, clean {clean:.2f} µs, tainted {tainted:.2f} µs per request")


if __name__ == "__main__":
    asyncio.run(main())
