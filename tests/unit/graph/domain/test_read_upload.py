"""read_upload applies the domain rules: the name sent on is normalised (issue 18 #7)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from graph.domain.refusals import SubmissionRejection
from graph.domain.uploads import UploadLimits, UploadRefusedError, read_upload

LIMITS = UploadLimits.parse(1_000_000, 10, "application/pdf,text/plain")


def test_the_name_reaching_fit_connect_is_normalised() -> None:
    upload = SimpleNamespace(
        file=io.BytesIO(b"%PDF-1.7\n%%EOF"),
        filename="../../x/\u202eAusweis\x07.pdf",
        content_type="application/pdf",
    )
    assert read_upload(upload, LIMITS).filename == "Ausweis.pdf"


def test_text_that_breaks_utf8_after_the_first_chunk_is_refused() -> None:
    content = b"a" * 300_000 + b"\xff"
    upload = SimpleNamespace(file=io.BytesIO(content), filename="a.txt", content_type="text/plain")
    with pytest.raises(UploadRefusedError) as refused:
        read_upload(upload, LIMITS)
    assert refused.value.code is SubmissionRejection.ATTACHMENT_TYPE_REFUSED
