"""Admission for GraphQL multipart requests (uploads), decided from the headers alone.

Starlette spools every file part to disk while it parses the form, and Strawberry parses
the form before any resolver could check sign-in (issue 18: an anonymous 100 MiB upload
spooled 81 MiB; three concurrent ones 707 MiB of a 512 Mi /tmp). So, before one body
byte is read:
- an upload without `Authorization` is refused (401): only signed-in citizens submit;
- an upload must declare its `Content-Length` (411 otherwise), so what it may spool is
  known up front; above the per-request limit it is refused (413);
- all uploads in flight share one spool budget: the declared length is reserved until the
  request ends, and an upload that does not fit waits for no one (503, Retry-After).
A wrong token is refused by the view before the body is read, too (graph/http/view.py).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.http.body_limit import declared_length
from graph.http.errors import error_response
from sources.base import ErrorCode

RETRY_AFTER = "5"


def refusal(status: int, code: ErrorCode, message: str, **headers: str) -> JSONResponse:
    # GraphQL's error shape, as every other refusal of /graphql; the unread body spends
    # the connection.
    return error_response(status, message, code, headers={"connection": "close", **headers})


class UploadGuard:
    """Pure ASGI, in front of the body limit: sign-in, declared length, shared spool budget."""

    def __init__(self, app: ASGIApp, *, request_bytes: int, total_bytes: int) -> None:
        self.app = app
        self.request_bytes = request_bytes
        self.total_bytes = total_bytes
        self.reserved = 0  # bytes of uploads in flight; one event loop, so no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else Headers()
        if not headers.get("content-type", "").lower().startswith("multipart/form-data"):
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        answer = self.refuse(headers, declared)
        if answer is not None:
            await answer(scope, receive, send)
            return
        assert declared is not None  # refuse() answered otherwise
        self.reserved += declared
        try:
            await self.app(scope, receive, send)
        finally:
            self.reserved -= declared

    def refuse(self, headers: Headers, declared: int | None) -> JSONResponse | None:
        if not headers.get("authorization", "").strip():
            return refusal(
                401,
                ErrorCode.UNAUTHENTICATED,
                "Sign in to upload attachments.",
                **{"www-authenticate": "Bearer"},
            )
        if declared is None:
            return refusal(
                411, ErrorCode.LENGTH_REQUIRED, "An upload must declare its Content-Length."
            )
        if declared > self.request_bytes:
            return refusal(
                413,
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"The upload exceeds {self.request_bytes} bytes.",
            )
        if self.reserved + declared > self.total_bytes:
            return refusal(
                503,
                ErrorCode.UPLOADS_BUSY,
                "Too many uploads in progress; try again shortly.",
                **{"retry-after": RETRY_AFTER},
            )
        return None
