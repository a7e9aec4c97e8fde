"""A search pages on the PVOG (issue 17 item 9): `first`/`after` and `last`/`before` become
the Suchdienst's `page`/`size`, beyond 500 hits too, a few texts more than asked for.

A PVOG sandbox server with 1,203 federal descriptions (each its own service) stands in for
the network's one PVOG (network file v2 of the topology sandbox); the gateway and both
servers run on loopback. Köln's answer with several texts a service:
test_services_paging_koeln.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from graph.testing import LoopThread
from sandbox.data import build_portal
from sandbox.data_places import PORTALS
from tests.conftest import Gateway
from tests.helpers.pvog_swap import OwnPvog, gateway_fixture, own_pvog

HITS = 1203
FEDERAL = "000000000000"
SEARCH_ROUTE = "GET /v8beta1/servicedescriptions"
QUERY = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  services(ars: "000000000000", first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { pvogId leikaKey name } }
  }
}
"""


@pytest.fixture(scope="module")
def big_pvog(loop_thread: LoopThread) -> Iterator[OwnPvog]:
    bund = build_portal(PORTALS[0], 2026)
    model = bund.descriptions[0]
    descriptions = tuple(
        {
            **model,
            "id": f"B100019.LB.{900001 + i}",
            "name": f"Leistung {i:04d}",
            "ars": [FEDERAL],
            "leikakeys": [f"99{990000000000 + i}"],
        }
        for i in range(HITS)
    )
    data = replace(bund, descriptions=descriptions, by_id={d["id"]: d for d in descriptions})
    yield from own_pvog(loop_thread, data)


paging_gateway = gateway_fixture("big_pvog")


def page(gateway: Gateway, **variables: Any) -> dict[str, Any]:
    body = gateway.query(QUERY, variables)
    assert "errors" not in body, body
    services: dict[str, Any] = body["data"]["services"]
    return services


def names(services: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in services["edges"]]


def sizes(stats: dict[str, Any]) -> list[int]:
    """The `size` of every search call (stats count them by `page` and `size`)."""
    return [
        int(key.rsplit("size=", 1)[1])
        for key, count in stats["queries"].items()
        for _ in range(count)
        if key.startswith(SEARCH_ROUTE)
    ]


def test_first_five_is_cheap(paging_gateway: Gateway, big_pvog: OwnPvog) -> None:
    """Two small calls: 6 texts (the five and one more, which proves `hasNextPage`) and a
    look-up of their LeiKa keys (no other, more local text of them hides further on)."""
    big_pvog.reset()
    services = page(paging_gateway, first=5)
    assert names(services) == [f"Leistung {i:04d}" for i in range(5)]
    assert services["totalCount"] == HITS
    assert services["pageInfo"]["hasNextPage"] is True
    stats = big_pvog.stats()
    assert stats["calls"][SEARCH_ROUTE] == 2, stats
    assert sorted(sizes(stats)) == [6, 18], stats


def test_every_hit_beyond_500_pages_through(paging_gateway: Gateway, big_pvog: OwnPvog) -> None:
    big_pvog.reset()
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        services = page(paging_gateway, first=100, after=after)
        assert services["totalCount"] == HITS
        seen += names(services)
        pages += 1
        if not services["pageInfo"]["hasNextPage"]:
            break
        after = services["pageInfo"]["endCursor"]
    assert seen == [f"Leistung {i:04d}" for i in range(HITS)]
    # A read and a look-up per page (every service here has one text); no read is larger
    # than twice what a page needs, and all of them together stay below three times the
    # answer (pages start at multiples of their size, so a read re-reads up to a page).
    stats = big_pvog.stats()
    assert pages == 13
    assert stats["calls"][SEARCH_ROUTE] == 2 * pages, stats
    assert max(sizes(stats)) <= 303, stats
    assert sum(sizes(stats)) <= 3 * HITS + 3 * 101 * pages, stats


def test_cursors_are_positions_that_stay_valid(paging_gateway: Gateway) -> None:
    ten = page(paging_gateway, first=10)
    five = page(paging_gateway, first=5)
    assert five["pageInfo"]["endCursor"] == page(paging_gateway, first=5)["pageInfo"]["endCursor"]
    rest = page(paging_gateway, first=5, after=five["pageInfo"]["endCursor"])
    assert [e["cursor"] for e in five["edges"] + rest["edges"]] == [
        e["cursor"] for e in ten["edges"]
    ]
    # Odd windows cover the same positions: 3 after the 4th hit are hits 5 to 7.
    odd = page(paging_gateway, first=3, after=ten["edges"][3]["cursor"])
    assert names(odd) == names(ten)[4:7]


def test_after_and_before_bound_a_range_both_ways(paging_gateway: Gateway) -> None:
    ten = page(paging_gateway, first=10)
    cursors = [edge["cursor"] for edge in ten["edges"]]
    forwards = page(paging_gateway, first=5, after=cursors[2], before=cursors[6])
    backwards = page(paging_gateway, last=5, after=cursors[2], before=cursors[6])
    assert names(forwards) == names(backwards) == names(ten)[3:6]
    assert forwards["pageInfo"]["hasNextPage"] is True  # the service at `before` follows
    assert backwards["pageInfo"]["hasPreviousPage"] is False  # nothing left after `after`
    assert names(page(paging_gateway, first=5, before=cursors[0])) == []


def test_last_and_before_page_backwards_from_the_end(
    paging_gateway: Gateway, big_pvog: OwnPvog
) -> None:
    end = page(paging_gateway, last=3)
    assert names(end) == [f"Leistung {i:04d}" for i in range(HITS - 3, HITS)]
    assert end["pageInfo"]["hasNextPage"] is False
    assert end["pageInfo"]["hasPreviousPage"] is True
    before = page(paging_gateway, last=4, before=end["pageInfo"]["startCursor"])
    assert names(before) == [f"Leistung {i:04d}" for i in range(HITS - 7, HITS - 3)]
    assert before["totalCount"] == HITS


def test_a_failing_directory_is_an_outage_with_partial_data(
    paging_gateway: Gateway, big_pvog: OwnPvog
) -> None:
    big_pvog.http.put("/_sandbox/faults", json={"status": 503}).raise_for_status()
    try:
        body = paging_gateway.query(
            '{ services(ars: "000000000000", first: 5) { totalCount edges { cursor }'
            " outages { portalId capability } } }"
        )
    finally:
        big_pvog.http.delete("/_sandbox/faults").raise_for_status()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UPSTREAM_UNAVAILABLE"]
    services = body["data"]["services"]
    assert services["edges"] == []
    assert services["totalCount"] == 0
    assert services["outages"] == [{"portalId": "pvog", "capability": "SERVICES"}]
