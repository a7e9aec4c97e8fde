"""Attachments checked before anything is sent: size, count, media type, content, hash.

Each file is read once in chunks (it may be spooled to disk) to size and hash it; the
first bytes must match the declared type, so a renamed executable is not sent as a PDF.
The virus scan is a hook (`VirusScanner`); the default accepts everything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, BinaryIO

from graph.domain.refusals import SubmissionRejection
from sources.base import UploadRecord

CHUNK = 256 * 1024
# The first bytes of the types we accept, so a renamed executable is not sent as a PDF.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


class UploadRefusedError(Exception):
    """An attachment breaks a limit; `code` is the rejection to answer with."""

    def __init__(self, code: SubmissionRejection, message: str) -> None:
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


def read_upload(value: Any, limits: UploadLimits) -> UploadRecord:
    """Size, type and sha512 of one uploaded file (anything with `.file`, `.filename`, `.content_type`)."""
    file: BinaryIO = value.file
    filename = str(getattr(value, "filename", None) or "anhang")
    mime_type = str(getattr(value, "content_type", None) or "application/octet-stream").lower()
    if mime_type not in limits.types:
        raise UploadRefusedError(
            SubmissionRejection.ATTACHMENT_TYPE_REFUSED,
            f"{filename}: type {mime_type} is not accepted.",
        )
    digest, size = hashlib.sha512(), 0
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(s) for s in SIGNATURES.get(mime_type, (b"",))):
        raise UploadRefusedError(
            SubmissionRejection.ATTACHMENT_TYPE_REFUSED, f"{filename}: content is not {mime_type}."
        )
    while block := file.read(CHUNK):
        size += len(block)
        if size > limits.max_bytes:
            raise UploadRefusedError(
                SubmissionRejection.ATTACHMENT_TOO_LARGE,
                f"{filename}: larger than {limits.max_bytes} bytes.",
            )
        digest.update(block)
    file.seek(0)
    return UploadRecord(filename[:255], mime_type, size, digest.hexdigest(), file)
