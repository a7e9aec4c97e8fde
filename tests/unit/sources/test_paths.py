"""Raw ids into path segments (issue 18 #4): checked by the standard's form, then encoded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sources._paths import PVOG_ID, UUID, segment
from sources.base import Capability, UpstreamRef
from sources.errors import InvalidIdError, SourceNotFoundError

KOELN = UpstreamRef("koeln", Capability.SERVICES)


@dataclass
class Where:
    ref: UpstreamRef = KOELN


@pytest.mark.parametrize("good", ["L100042.LB.101954", "B100019.LB.581863", "L100042.OE.2292"])
def test_pvog_ids_pass_unchanged(good: str) -> None:
    assert segment(Where(), good, PVOG_ID) == good


@pytest.mark.parametrize(
    "bad", ["", "..", "L1.LB.1/..", "L1.LB.1?x", "l1.lb.1", "L1.LB.1\n", "L1.LB.１", "x" * 300]
)
def test_what_is_no_pvog_id_is_not_found_without_a_call(bad: str) -> None:
    with pytest.raises(InvalidIdError) as refused:
        segment(Where(), bad, PVOG_ID)
    assert isinstance(refused.value, SourceNotFoundError)  # adapters answer "no such object"
    assert refused.value.portal_id == "koeln"


def test_fit_connect_ids_are_uuids() -> None:
    assert segment(Where(), "0b7f37c4-3ad1-4f7e-9d2e-5a1cf1e5c2a1", UUID)
    with pytest.raises(InvalidIdError):
        segment(Where(), "0b7f37c4-3ad1-4f7e-9d2e-5a1cf1e5c2a1/../x", UUID)


def test_opaque_ids_are_encoded_into_one_segment() -> None:
    assert segment(Where(), "a/b?c#d%2e") == "a%2Fb%3Fc%23d%252e"
    for bad in ("..", ".", "a b", "a\r\nb", "ä", ""):
        with pytest.raises(InvalidIdError):
            segment(Where(), bad)
