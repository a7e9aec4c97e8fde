"""A search pages on the PVOG (issue 17 item 9): `first`/`after` and `last`/`before` become
the Suchdienst's `page`/`size`, `totalCount` is its total, beyond 500 hits too.

A PVOG sandbox server with 1,203 federal descriptions stands in for the federal portal's
directory; the gateway and both servers run on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread
from sandbox.data import build_portal
from sandbox.data_places import PORTALS
from sandbox.pvog import PvogUpstream
from tests.conftest import Gateway, Sandbox
from tests.helpers.serving import serving

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


class BigPvog:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=10)

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.http.get(self.url + "/_sandbox/stats").json()
        return stats

    def reset(self) -> None:
        self.http.delete(self.url + "/_sandbox/stats").raise_for_status()


@pytest.fixture(scope="module")
def big_pvog(loop_thread: LoopThread) -> Iterator[BigPvog]:
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
    for url in serving(loop_thread, PvogUpstream(data, seed=2026).app):
        pvog = BigPvog(url)
        yield pvog
        pvog.http.close()


@pytest.fixture(scope="module")
def paging_gateway(
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
    big_pvog: BigPvog,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Gateway]:
    """The gateway with the big PVOG as the federal portal's directory."""
    toml = sandbox.network.network_toml().replace(sandbox.url("bund", "services"), big_pvog.url)
    path = tmp_path_factory.mktemp("paging") / "network.toml"
    path.write_text(toml, encoding="utf-8")
    for url in serving(loop_thread, create_app(gateway_settings.override(network=str(path)))):
        gateway = Gateway(url)
        yield gateway
        gateway.http.close()


def page(gateway: Gateway, **variables: Any) -> dict[str, Any]:
    body = gateway.query(QUERY, variables)
    assert "errors" not in body, body
    services: dict[str, Any] = body["data"]["services"]
    return services


def names(services: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in services["edges"]]


def test_first_five_is_one_upstream_call_of_size_five(
    paging_gateway: Gateway, big_pvog: BigPvog
) -> None:
    big_pvog.reset()
    services = page(paging_gateway, first=5)
    assert names(services) == [f"Leistung {i:04d}" for i in range(5)]
    assert services["totalCount"] == HITS
    assert services["pageInfo"]["hasNextPage"] is True
    stats = big_pvog.stats()
    assert stats["calls"] == {SEARCH_ROUTE: 1}, stats
    assert stats["queries"] == {f"{SEARCH_ROUTE}?page=0&size=5": 1}, stats


def test_every_hit_beyond_500_pages_through_with_the_pvog_total(
    paging_gateway: Gateway, big_pvog: BigPvog
) -> None:
    big_pvog.reset()
    seen: list[str] = []
    after = None
    while True:
        services = page(paging_gateway, first=100, after=after)
        assert services["totalCount"] == HITS
        seen += names(services)
        if not services["pageInfo"]["hasNextPage"]:
            break
        after = services["pageInfo"]["endCursor"]
    assert seen == [f"Leistung {i:04d}" for i in range(HITS)]
    # One upstream page per gateway page, each of the asked size: nothing fetched twice.
    queries = big_pvog.stats()["queries"]
    assert queries == {f"{SEARCH_ROUTE}?page={p}&size=100": 1 for p in range(13)}


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


def test_last_and_before_page_backwards_from_the_end(
    paging_gateway: Gateway, big_pvog: BigPvog
) -> None:
    end = page(paging_gateway, last=3)
    assert names(end) == [f"Leistung {i:04d}" for i in range(HITS - 3, HITS)]
    assert end["pageInfo"]["hasNextPage"] is False
    assert end["pageInfo"]["hasPreviousPage"] is True
    before = page(paging_gateway, last=4, before=end["pageInfo"]["startCursor"])
    assert names(before) == [f"Leistung {i:04d}" for i in range(HITS - 7, HITS - 3)]
    assert before["totalCount"] == HITS


def test_a_failing_directory_is_an_outage_with_partial_data(
    paging_gateway: Gateway, big_pvog: BigPvog
) -> None:
    big_pvog.http.put(big_pvog.url + "/_sandbox/faults", json={"status": 503}).raise_for_status()
    try:
        body = paging_gateway.query(
            '{ services(ars: "000000000000", first: 5) { totalCount edges { cursor }'
            " outages { portalId capability } } }"
        )
    finally:
        big_pvog.http.delete(big_pvog.url + "/_sandbox/faults").raise_for_status()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UPSTREAM_UNAVAILABLE"]
    services = body["data"]["services"]
    assert services["edges"] == []
    assert services["totalCount"] == 0
    assert services["outages"] == [{"portalId": "bund", "capability": "SERVICES"}]
