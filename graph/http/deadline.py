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
        # deadline. One did (an upload or stream failed at once with UPSTREAM_TIMEOUT,
        # tests/e2e/test_abuse_keepalive.py) before FreshContext (graph/http/fresh_context.py)
        # kept each request from starting in the context a previous one left behind.
        with deadline_after(None if unbounded or scope["type"] != "http" else self.seconds):
            await self.app(scope, receive, send)
