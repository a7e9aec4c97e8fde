"""Accept-Language picks German or English; German when the client names neither."""

from __future__ import annotations

import pytest

from graph.domain.messages import language, localise


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "de"),
        ("", "de"),
        ("fr-FR, it;q=0.8", "de"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr, en;q=0.5, de;q=0.4", "en"),
        ("en;q=0.5, de;q=0.5", "en"),  # equal q: the first listed
        ("en;q=0, de;q=0.1", "de"),
        ("en;q=bogus", "de"),
    ],
)
def test_language(header: str | None, expected: str) -> None:
    assert language(header) == expected


def test_localise_keeps_english_and_unknown_messages() -> None:
    message = "Operation depth 9 exceeds the limit 8."
    assert localise(message, "en") == message
    assert localise(message, "de") == "Operation: Tiefe 9 überschreitet die Grenze 8."
    assert localise("Something new.", "de") == "Something new."
