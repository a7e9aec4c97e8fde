"""Attachments checked before anything is sent: size, count, media type, content, name, hash.

Each file is read once in chunks (it may be spooled to disk) to size and hash it. Its type is
checked by content (issue 18 #7): binary types by their signature, `text/plain` as UTF-8
without NUL, and no programs or markup a browser would render under any type. File names
are normalised before they reach FIT-Connect metadata. The virus scan is a hook
(`VirusScanner`); the default accepts everything.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, BinaryIO

from graph.domain.refusals import SubmissionRejection
from sources.base import UploadRecord

CHUNK = 256 * 1024
# The first bytes of the binary types we accept (PDF 1.7 §7.5.2, PNG §5.2, JPEG SOI+marker).
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
# Executables whatever their declared type: PE (MZ), ELF, Mach-O, scripts with a shebang.
EXECUTABLE = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
# What the WHATWG MIME sniffing standard (§7.1) takes as HTML/XML: a browser may render it.
MARKUP = re.compile(
    rb"\s*<(?:!doctype\s+html|html|head|body|script|iframe|svg|\?xml|!--|style|title|"
    rb"object|embed|frameset|img|a\s|div|table|br|p\b|h1|b\b|font)",
    re.IGNORECASE,
)
BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 512
MAX_NAME = 120
DEFAULT_NAME = "anhang"


def content_problem(mime_type: str, head: bytes) -> str | None:
    """Why the first bytes cannot be of `mime_type`, or None."""
    if head.startswith(EXECUTABLE):
        return "is a program"
    signatures = SIGNATURES.get(mime_type)
    if signatures is not None:
        return None if head.startswith(signatures) else f"is not {mime_type}"
    if MARKUP.match(head.removeprefix(BOM)):
        return "is markup a browser would render"
    return None


class TextCheck:
    """`text/plain` must be text: UTF-8 throughout (chunk by chunk), no NUL byte."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def feed(self, block: bytes) -> None:
        if b"\x00" in block:
            raise ValueError("holds a NUL byte: not text")
        try:
            self.decoder.decode(block)
        except UnicodeDecodeError as exc:
            raise ValueError("is not UTF-8 text") from exc

    def finish(self) -> None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ValueError("is not UTF-8 text: it ends inside a character") from exc


def safe_filename(raw: str) -> str:
    """The base name, NFC, without control or format characters, at most MAX_NAME long."""
    base = re.split(r"[/\\]", raw)[-1]
    kept = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    name = kept.strip().lstrip(". ").strip()
    if not name:
        return DEFAULT_NAME
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_NAME]
    return name


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
    filename = safe_filename(str(getattr(value, "filename", None) or ""))
    mime_type = str(getattr(value, "content_type", None) or "application/octet-stream").lower()
    mime_type = mime_type.split(";", 1)[0].strip()
    refused = SubmissionRejection.ATTACHMENT_TYPE_REFUSED
    if mime_type not in limits.types:
        raise UploadRefusedError(refused, f"{filename}: type {mime_type} is not accepted.")
    digest, size = hashlib.sha512(), 0
    file.seek(0)
    problem = content_problem(mime_type, file.read(HEAD_BYTES))
    if problem is not None:
        raise UploadRefusedError(refused, f"{filename}: the content {problem}.")
    file.seek(0)
    text = TextCheck() if mime_type == "text/plain" else None
    try:
        while block := file.read(CHUNK):
            size += len(block)
            if size > limits.max_bytes:
                raise UploadRefusedError(
                    SubmissionRejection.ATTACHMENT_TOO_LARGE,
                    f"{filename}: larger than {limits.max_bytes} bytes.",
                )
            if text is not None:
                text.feed(block)
            digest.update(block)
        if text is not None:
            text.finish()
    except ValueError as exc:
        raise UploadRefusedError(refused, f"{filename}: the content {exc}.") from exc
    file.seek(0)
    return UploadRecord(filename, mime_type, size, digest.hexdigest(), file)
