"""Upload content and names (issue 18 #7): text is text, types by content, names normalised."""

from __future__ import annotations

import pytest

from graph.domain.uploads import TextCheck, content_problem, safe_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("foto.pdf", "foto.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\erika\\Ausweis.pdf", "Ausweis.pdf"),
        ("rechnung\u202efdp.exe", "rechnungfdp.exe"),  # right-to-left override
        ("a\x00b\r\nc.txt", "abc.txt"),
        ("   ..hidden.txt", "hidden.txt"),
        ("", "anhang"),
        ("../", "anhang"),
        ("Gru\u0308\u00dfe.txt", "Grüße.txt"),  # NFC
    ],
)
def test_file_names_are_normalised(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_long_names_keep_their_extension_within_the_bound() -> None:
    name = safe_filename("x" * 1000 + ".pdf")
    assert len(name) <= 120
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    ("mime", "head", "ok"),
    [
        ("application/pdf", b"%PDF-1.7\n", True),
        ("application/pdf", b"\x89PNG\r\n\x1a\n", False),
        ("image/png", b"\x89PNG\r\n\x1a\n", True),
        ("image/jpeg", b"\xff\xd8\xff\xe0", True),
        ("image/jpeg", b"MZ\x90\x00", False),
        ("text/plain", b"Hallo", True),
        ("text/plain", b"<html><body>", False),
        ("text/plain", b"\xef\xbb\xbf  <SCRIPT>", False),
        ("text/plain", b"MZ\x90\x00", False),
        ("text/plain", b"#!/bin/sh\nrm -rf /", False),
        ("application/x-custom", b"\x7fELF", False),
    ],
)
def test_every_type_is_checked_by_content(mime: str, head: bytes, ok: bool) -> None:
    assert (content_problem(mime, head) is None) is ok


def test_text_must_decode_as_utf8_across_chunks_and_hold_no_nul() -> None:
    check = TextCheck()
    text = "Grüße".encode()
    check.feed(text[:3])  # splits the ü
    check.feed(text[3:])
    check.finish()
    broken = TextCheck()
    broken.feed(b"\xc3")
    with pytest.raises(ValueError, match="UTF-8"):
        broken.finish()
    with pytest.raises(ValueError, match="NUL"):
        TextCheck().feed(b"a\x00b")
