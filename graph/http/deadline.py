"""The request deadline as pure ASGI middleware: one budget for all upstream calls of a request."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.http.spec import prefers_stream
from sources.transport import deadline_after


class RequestDeadline:
    """Give every HTTP request `seconds` for its upstream calls (see `deadline_after`).

    Streams (SSE, multipart subscriptions), uploads and WebSockets live longer than any
    deadline; their upstream calls are bounded by the per-upstream timeouts instead.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else Headers()
        # Uploads (GraphQL multipart requests) take as long as their files need. urql lists
        # text/event-stream after JSON on every query: only a preferred stream counts.
        uploading = headers.get("content-type", "").startswith("multipart/form-data")
        unbounded = uploading or prefers_stream(headers.get("accept", ""))
        # Set for every request and socket, None included: a request must never inherit a
        # deadline. With CPython's asyncio loop one did: a body over uvicorn's 64 KiB mark
        # pauses reading, and resuming it from inside the request re-registers the socket's
        # reader with a copy of the request's context (python/cpython#140947), so each later
        # request on that keep-alive connection started with this one's deadline; an upload
        # or stream then failed at once with UPSTREAM_TIMEOUT (tests/e2e/test_abuse_keepalive.py).
        with deadline_after(None if unbounded or scope["type"] != "http" else self.seconds):
            await self.app(scope, receive, send)
