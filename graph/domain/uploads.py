"""What an uploaded attachment may be: its type checked by content, its name made safe.

Issue 18 #7: `text/plain` took Windows and Linux executables and HTML, and file names went
unchanged into FIT-Connect metadata. Framework-free; graph/http/uploads.py applies it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

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
