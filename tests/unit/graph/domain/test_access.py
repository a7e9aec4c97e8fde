"""The trust-level rule: who may open what."""

from __future__ import annotations

from graph.domain.access import can_open
from sources.base import TrustLevel, ViewerRecord


def viewer(level: TrustLevel) -> ViewerRecord:
    return ViewerRecord(
        "sub", level, (), None, None, None, None, None, None, False, None, 0.0, token="t"
    )


def test_a_message_opens_at_its_trust_level_or_higher_and_never_anonymously() -> None:
    assert can_open(TrustLevel.SUBSTANTIAL, viewer(TrustLevel.SUBSTANTIAL))
    assert can_open(TrustLevel.SUBSTANTIAL, viewer(TrustLevel.HIGH))
    assert not can_open(TrustLevel.SUBSTANTIAL, viewer(TrustLevel.BASIC))
    assert not can_open(TrustLevel.BASIC, None)
