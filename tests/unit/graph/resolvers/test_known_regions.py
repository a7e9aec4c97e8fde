"""The rules of the unknown-region check: which ARS need a lookup, which directory is
asked, and what its answer proves."""

from __future__ import annotations

import pytest

from graph.resolvers.known_regions import (
    known_without_lookup,
    land_has_portal,
    lookup_text,
    names_a_place,
)
from sources.base import PortalRecord, Tier

PORTAL_AREAS = ("000000000000", "050000000000", "053150000000", "051620008008")


def portal(portal_id: str, ars: str, tier: Tier) -> PortalRecord:
    return PortalRecord(
        id=portal_id, name=portal_id, tier=tier, ars=ars, website=None, endpoints={}
    )


PORTALS = (
    portal("bund", "000000000000", Tier.FEDERAL),
    portal("nrw", "050000000000", Tier.STATE),
    portal("koeln", "053150000000", Tier.MUNICIPAL),
)


@pytest.mark.parametrize(
    ("area", "known"),
    [
        ("000000000000", True),  # the Bund
        ("090000000000", True),  # a Land, even one without a portal
        ("053150000000", True),  # a portal's own region
        ("051620000000", True),  # the Kreis around Dormagen's portal
        ("059110000000", False),  # Bochum: a place, but no portal says so
        ("059999999999", False),
    ],
)
def test_which_areas_need_no_lookup(area: str, known: bool) -> None:
    assert known_without_lookup(area, PORTAL_AREAS) is known


def test_the_directory_is_asked_for_the_significant_prefix() -> None:
    assert lookup_text("059110000000") == "05911"
    assert lookup_text("051620008008") == "051620008008"
    assert lookup_text("053000000000") == "053"


def test_the_one_directory_is_asked_only_where_the_network_serves_the_land() -> None:
    assert land_has_portal("053159999999", PORTALS)  # NRW's portal covers it
    assert not land_has_portal("097790194194", PORTALS)  # only the Bund covers Bayern


@pytest.mark.parametrize(
    ("area", "places", "named"),
    [
        ("059110000000", ["059110000000"], True),
        ("05162", ["051620008008", "051620024024"], True),  # a Kreis: places inside it
        ("059999999999", [], False),
        ("059999999999", ["059990000000"], False),  # a larger area is no proof of a place
        ("051620008008", ["051620024024"], False),  # a neighbour is no proof either
    ],
)
def test_what_the_directory_answer_proves(area: str, places: list[str], named: bool) -> None:
    assert names_a_place(area.ljust(12, "0"), places) is named
