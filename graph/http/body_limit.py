"""A request body limit enforced while the body streams in, before the endpoint runs.

Starlette's `Request.body()` reads everything first, so an endpoint that checks the size
afterwards has already held the whole body in memory (issue 18: one unsigned 300 MiB
callback took the process from 146 to 721 MiB). This middleware answers 413 from the
`Content-Length` alone, or as soon as a chunked body passes the limit, and never reads
further; the endpoint then gets the body it buffered, replayed.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sources.base import ErrorCode


def too_large(limit: int) -> JSONResponse:
    # `Connection: close`: the rest of the body stays unread, so the connection is spent.
    return JSONResponse(
        {"error": f"The request body exceeds {limit} bytes.", "code": ErrorCode.PAYLOAD_TOO_LARGE},
        status_code=413,
        headers={"connection": "close"},
    )


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number, or None if absent or malformed."""
    raw = Headers(scope=scope).get("content-length")
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


class StreamingBodyLimit:
    """Pure ASGI: buffer at most `max_bytes` of an HTTP body, else answer 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await too_large(self.max_bytes)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nothing to answer
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await too_large(self.max_bytes)(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()  # after the body: wait for the disconnect

        await self.app(scope, replay, send)
