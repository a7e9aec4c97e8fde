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
        if uploading or scope["type"] != "http" or prefers_stream(headers.get("accept", "")):
            await self.app(scope, receive, send)
            return
        with deadline_after(self.seconds):
            await self.app(scope, receive, send)
