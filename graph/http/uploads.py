"""GraphQL multipart requests at the HTTP edge: spooling to disk and the body limit.

Starlette parses the multipart body into `SpooledTemporaryFile`s that move to disk above
`upload_spool_bytes` (set process-wide by `configure_spooling`), so an upload is never held
whole in memory; graph/domain/uploads.py then checks each file.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartParser
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.domain.uploads import UploadLimits

MULTIPART_OVERHEAD = 64 * 1024


def configure_spooling(threshold: int) -> None:
    # Starlette offers no per-request setting; the class attribute is its documented knob.
    MultiPartParser.spool_max_size = threshold


class UploadBodyLimit:
    """The request body limit: `json_bytes` in general, room for the attachments in multipart."""

    def __init__(self, app: ASGIApp, *, json_bytes: int, limits: UploadLimits) -> None:
        self.plain = RequestBodyLimitMiddleware(app, max_body_size=json_bytes)
        upload_bytes = json_bytes + limits.max_files * limits.max_bytes + MULTIPART_OVERHEAD
        self.multipart = RequestBodyLimitMiddleware(app, max_body_size=upload_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (
            Headers(scope=scope).get("content-type", "") if scope["type"] == "http" else ""
        )
        chosen = self.multipart if content_type.startswith("multipart/form-data") else self.plain
        await chosen(scope, receive, send)
