"""Trust levels: STORK-QAA, eIDAS levels of assurance and akdb names map to one TrustLevel."""

from __future__ import annotations

import pytest

from sources.base import TrustLevel, trust_level_from


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("STORK-QAA-Level-1", TrustLevel.BASIC),
        ("STORK-QAA-Level-2", TrustLevel.NORMAL),
        ("STORK-QAA-Level-3", TrustLevel.SUBSTANTIAL),
        ("STORK-QAA-Level-4", TrustLevel.HIGH),
        ("http://eidas.europa.eu/LoA/low", TrustLevel.BASIC),
        ("http://eidas.europa.eu/LoA/substantial", TrustLevel.SUBSTANTIAL),
        ("http://eidas.europa.eu/LoA/high", TrustLevel.HIGH),
        ("UNTERGEORDNET", TrustLevel.BASIC),
        ("NORMAL", TrustLevel.NORMAL),
        ("SUBSTANTIELL", TrustLevel.SUBSTANTIAL),
        ("HOCH", TrustLevel.HIGH),
    ],
)
def test_every_published_name_of_a_level_maps_to_it(value: str, level: TrustLevel) -> None:
    assert trust_level_from(value) is level


@pytest.mark.parametrize(
    "value",
    [
        None,
        4,
        "",
        "STORK-QAA-Level-5",
        "stork-qaa-level-4",  # exact names only: a sloppy level grants nothing
        "https://eidas.europa.eu/LoA/high",
        "http://eidas.europa.eu/LoA/high ",
        "http://eidas.europa.eu/LoA/NotNotified/high",
    ],
)
def test_anything_else_is_no_level(value: object) -> None:
    assert trust_level_from(value) is None
