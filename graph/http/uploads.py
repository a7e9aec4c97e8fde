"""Attachments from GraphQL multipart requests: limits, type checks, hashing, the scan hook.

Starlette parses the multipart body into `SpooledTemporaryFile`s that move to disk above
`upload_spool_bytes` (set process-wide by `configure_spooling`), so an upload is never held
whole in memory; this module reads each file once in chunks to size and hash it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, BinaryIO

import starlette.requests
from starlette.datastructures import FormData, Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.domain.uploads import HEAD_BYTES, TextCheck, content_problem, safe_filename
from graph.http.upload_guard import UploadGuard
from sources.base import UploadRecord

CHUNK = 256 * 1024
MULTIPART_OVERHEAD = 64 * 1024


class UploadRefusedError(Exception):
    """An attachment breaks a limit; `code` is the SubmissionRejection member to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int
    max_files: int
    types: frozenset[str]

    @classmethod
    def parse(cls, max_bytes: int, max_files: int, types: str) -> UploadLimits:
        allowed = frozenset(t.strip().lower() for t in types.split(",") if t.strip())
        return cls(max_bytes=max_bytes, max_files=max_files, types=allowed)


class NoVirusScan:
    """The default scan hook: accepts everything. Plug in ClamAV/ICAP via `create_app(scanner=)`."""

    async def scan(self, upload: UploadRecord) -> str | None:
        return None


class CompleteMultiPartParser(MultiPartParser):
    """Starlette's parser, refusing a body that ends before its closing boundary.

    Starlette returns the parts it saw and leaves the unfinished part's spooled file open
    (closed only by the garbage collector): a truncated upload is refused (400) and every
    file it spooled is closed at once (issue 18 #3).
    """

    ended = False

    def on_end(self) -> None:
        self.ended = True
        super().on_end()

    async def parse(self) -> FormData:
        form = await super().parse()
        if not self.ended:
            for file in self._files_to_close_on_error:
                file.close()
            raise MultiPartException("The multipart body ends before its closing boundary.")
        return form


def configure_spooling(threshold: int) -> None:
    # Starlette offers no per-request setting; the class attribute is its documented knob.
    MultiPartParser.spool_max_size = threshold
    # Request.form() builds the parser named in starlette.requests: ours refuses truncation.
    vars(starlette.requests)["MultiPartParser"] = CompleteMultiPartParser


def read_upload(value: Any, limits: UploadLimits) -> UploadRecord:
    """Size, type and sha512 of one uploaded file (a Starlette `UploadFile`).

    The type is checked by content (graph/domain/uploads.py): signatures for binary
    types, UTF-8 without NUL for text, no programs or markup under any type.
    """
    file: BinaryIO = value.file
    filename = safe_filename(str(getattr(value, "filename", None) or ""))
    mime_type = str(getattr(value, "content_type", None) or "application/octet-stream").lower()
    mime_type = mime_type.split(";", 1)[0].strip()
    if mime_type not in limits.types:
        raise UploadRefusedError(
            "ATTACHMENT_TYPE_REFUSED", f"{filename}: type {mime_type} is not accepted."
        )
    digest, size = hashlib.sha512(), 0
    file.seek(0)
    problem = content_problem(mime_type, file.read(HEAD_BYTES))
    if problem is not None:
        raise UploadRefusedError("ATTACHMENT_TYPE_REFUSED", f"{filename}: the content {problem}.")
    file.seek(0)
    text = TextCheck() if mime_type == "text/plain" else None
    try:
        while block := file.read(CHUNK):
            size += len(block)
            if size > limits.max_bytes:
                raise UploadRefusedError(
                    "ATTACHMENT_TOO_LARGE", f"{filename}: larger than {limits.max_bytes} bytes."
                )
            if text is not None:
                text.feed(block)
            digest.update(block)
        if text is not None:
            text.finish()
    except ValueError as exc:
        raise UploadRefusedError(
            "ATTACHMENT_TYPE_REFUSED", f"{filename}: the content {exc}."
        ) from exc
    file.seek(0)
    return UploadRecord(filename, mime_type, size, digest.hexdigest(), file)


class UploadBodyLimit:
    """The request body limit: `json_bytes` in general, room for the attachments in multipart."""

    def __init__(
        self, app: ASGIApp, *, json_bytes: int, limits: UploadLimits, spool_total: int = 2**31
    ) -> None:
        self.plain = RequestBodyLimitMiddleware(app, max_body_size=json_bytes)
        upload_bytes = json_bytes + limits.max_files * limits.max_bytes + MULTIPART_OVERHEAD
        # Sign-in, declared length and the shared spool budget, before a byte is read.
        self.multipart = UploadGuard(
            RequestBodyLimitMiddleware(app, max_body_size=upload_bytes),
            request_bytes=min(upload_bytes, spool_total),
            total_bytes=spool_total,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (
            Headers(scope=scope).get("content-type", "") if scope["type"] == "http" else ""
        )
        chosen = self.multipart if content_type.startswith("multipart/form-data") else self.plain
        await chosen(scope, receive, send)
