"""Small generated attachment files: one-page PDFs (Bescheide) and plain-text notes.

The PDFs are minimal but valid (correct xref offsets), so a browser or a PDF library opens
them; the gateway only streams them and checks sha512sum and contentLength.
"""

from __future__ import annotations

import hashlib

from sandbox.case_model import Attachment

WINANSI = str.maketrans({"–": "-", "„": '"', "“": '"', "€": "EUR"})


def _pdf_text(text: str) -> bytes:
    # The standard Type1 fonts use WinAnsi: German umlauts map to Latin-1, the rest is replaced.
    escaped = text.translate(WINANSI).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("latin-1", errors="replace")


def pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF showing `lines` in Helvetica."""
    stream = b"BT /F1 11 Tf 72 770 Td 15 TL "
    stream += b" ".join(b"(" + _pdf_text(line) + b") '" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def attachment(attachment_id: str, filename: str, lines: list[str]) -> Attachment:
    """A PDF for `.pdf` names, UTF-8 text otherwise, with its sha512 hex digest."""
    if filename.endswith(".pdf"):
        content, mime_type = pdf(lines), "application/pdf"
    else:
        content, mime_type = ("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8"
    digest = hashlib.sha512(content).hexdigest()
    return Attachment(attachment_id, filename, mime_type, content, digest)
