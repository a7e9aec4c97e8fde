"""Relay windows over a directory's hits, and most local wins inside one page."""

from __future__ import annotations

import pytest

from graph.resolvers.pagination import Page
from graph.resolvers.services_paging import _most_local, window
from sources.base import PortalRecord, ServiceRecord, Tier
from tests.helpers.records import service_record

PORTALS = {
    "bund": PortalRecord("bund", "Bund", Tier.FEDERAL, "000000000000", None, {}),
    "koeln": PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {}),
}


@pytest.mark.parametrize(
    ("page", "total", "expected"),
    [
        (Page(first=5), None, (0, 5)),
        (Page(first=5, after=4), None, (5, 10)),
        (Page(first=5, after=8, before=11), None, (9, 11)),
        (Page(first=5, after=1200), 1203, (1201, 1203)),
        (Page(last=3), 1203, (1200, 1203)),
        (Page(last=4, before=1200), None, (1196, 1200)),
        (Page(last=10, after=5, before=9), None, (6, 9)),
        (Page(first=5, after=2000), 1203, (2001, 2001)),
    ],
)
def test_a_relay_page_is_a_window_of_positions(
    page: Page, total: int | None, expected: tuple[int, int]
) -> None:
    assert window(page, total) == expected


def test_paging_back_from_the_end_needs_the_total() -> None:
    with pytest.raises(ValueError, match="total"):
        window(Page(last=3), None)


def record(portal_id: str, service_id: str, leika: str) -> ServiceRecord:
    return service_record(portal_id, service_id, service_id, (leika,))


def test_a_less_local_text_on_the_page_folds_into_the_edge_before_it() -> None:
    hits = [
        (10, record("bund", "pass-bund", "99085001012000")),
        (11, record("bund", "hund", "99017001001000")),
        (12, record("koeln", "pass-koeln", "99085001012000")),
        (13, record("bund", "kita", "99107004018000")),
    ]
    kept = _most_local(hits, PORTALS, stop=15)
    assert [(end, r.id) for end, r in kept] == [(11, "hund"), (12, "pass-koeln"), (14, "kita")]
