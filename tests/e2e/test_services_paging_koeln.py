"""A Köln search pages by services, not by texts (issue 17 item 9, issue 16 item 3).

The topology sandbox's one PVOG answers a Köln search with the Bund's, NRW's and Köln's text
of the same service (`useArsHierarchy`). The test reads the PVOG's whole answer itself
(over HTTP, the detail view for hits without LeiKa keys) to know which text of each
service is the most local, then walks the gateway's pages. A second PVOG serves the same
texts in a shuffled order, so that the texts of one service lie far apart.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.resolvers.services_paging import MAX_CALLS
from graph.settings import Settings
from graph.testing import LoopThread
from sandbox.pvog import PvogUpstream
from sandbox.pvog_catalogue import CLIENT_ID_HEADER, central_catalogue
from sandbox.scale import sample_municipalities
from sources.base import ars_prefix
from tests.conftest import Gateway, Sandbox
from tests.helpers.serving import serving

KOELN = "053150000000"
SEARCH_PATH = "/v8beta1/servicedescriptions"
SEARCH_ROUTE = f"GET {SEARCH_PATH}"
QUERY = """
query Page($ars: String, $first: Int, $after: String, $last: Int, $before: String) {
  services(ars: $ars, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { pvogId leikaKey originPortal { id } } }
  }
}
"""
Get = Callable[[str, dict[str, Any]], Any]


def most_local(get: Get, ars: str) -> list[tuple[str, str]]:
    """(LeiKa key, pvogId) of each service in the order of its most local text in the PVOG's
    whole answer (most local: the longest ARS prefix; among equals the smallest id)."""
    answer = get(SEARCH_PATH, {"ars": ars, "page": 0, "size": 500, "useArsHierarchy": "true"})
    hits = answer["serviceDescriptions"]["content"]
    assert answer["serviceDescriptions"]["totalElements"] == len(hits) < 500
    best: dict[str, tuple[int, int, str]] = {}
    for position, hit in enumerate(hits):
        keys = (
            hit.get("leikakeys")
            or get(f"/v6/servicedescriptions/{hit['id']}/detail", {})["leikakeys"]
        )
        local = max(len(ars_prefix(area)) for area in hit["ars"])
        current = best.get(keys[0])
        if current is None or (local, current[2]) > (current[0], hit["id"]):
            best[keys[0]] = (local, position, hit["id"])
    return [(key, found[2]) for key, found in sorted(best.items(), key=lambda kv: kv[1][1])]


def walk(
    gateway: Gateway, first: int, calls: Callable[[], int], ars: str = KOELN
) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
    """Every page of a search: (leikaKey, pvogId, origin) in page order, and the pages."""
    seen: list[tuple[str, str, str]] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        before = calls()
        body = gateway.query(QUERY, {"ars": ars, "first": first, "after": after})
        assert "errors" not in body, body
        services = body["data"]["services"]
        assert calls() - before <= MAX_CALLS, "upstream search calls of one page are bounded"
        seen += [
            (e["node"]["leikaKey"], e["node"]["pvogId"], e["node"]["originPortal"]["id"])
            for e in services["edges"]
        ]
        pages.append(services)
        if not services["pageInfo"]["hasNextPage"]:
            return seen, pages
        assert len(services["edges"]) == first, "a page that is not the last one is full"
        after = services["pageInfo"]["endCursor"]


def test_koeln_first_20_gives_20_services_in_two_calls(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    body = gateway.query(QUERY, {"ars": KOELN, "first": 20})
    services = body["data"]["services"]
    keys = [e["node"]["leikaKey"] for e in services["edges"]]
    assert len(keys) == 20
    assert len(set(keys)) == 20, keys
    assert services["pageInfo"]["hasNextPage"] is True
    # One page of texts and one look-up of its keys (or the rest of a small answer).
    assert clean_sandbox.calls("pvog")[SEARCH_ROUTE] <= 2, clean_sandbox.calls("pvog")


def test_walking_koeln_shows_every_service_once_with_its_most_local_text(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    with clean_sandbox.handle.client("pvog") as client:
        header = {CLIENT_ID_HEADER: clean_sandbox.env["PVOG_CLIENT_ID"]}
        expected = most_local(
            lambda path, params: client.get(path, params=params, headers=header).json(), KOELN
        )
    assert len(expected) > 40, "the Köln answer holds enough services for several pages"
    seen, pages = walk(gateway, 7, lambda: clean_sandbox.calls("pvog").get(SEARCH_ROUTE, 0))
    assert [(key, pvog_id) for key, pvog_id, _ in seen] == expected
    assert {origin for _, _, origin in seen} == {"bund", "nrw", "koeln"}
    assert pages[-1]["pageInfo"]["hasNextPage"] is False
    assert all(p["pageInfo"]["hasPreviousPage"] for p in pages[1:])
    # totalCount is never below the number of services: the PVOG's count of texts (an upper
    # bound) while a page has read only part of the answer, ...
    assert all(p["totalCount"] >= len(expected) for p in pages)
    # ... exact when the page read it whole: for `first: 20` the rest of the 91 texts after
    # the first 42 costs no more than a look-up of 21 keys, so the gateway reads the rest.
    whole = gateway.query(QUERY, {"ars": KOELN, "first": 20})["data"]["services"]
    assert whole["totalCount"] == len(expected)


def walk_backwards(gateway: Gateway, last: int, calls: Callable[[], int]) -> list[tuple[str, str]]:
    """Every page from the end (`last`, then `before: startCursor`): (leikaKey, pvogId) in
    the answer's order."""
    pages: list[list[tuple[str, str]]] = []
    before = None
    while True:
        spent = calls()
        body = gateway.query(QUERY, {"ars": KOELN, "last": last, "before": before})
        assert "errors" not in body, body
        services = body["data"]["services"]
        assert calls() - spent <= MAX_CALLS
        pages.insert(0, [(e["node"]["leikaKey"], e["node"]["pvogId"]) for e in services["edges"]])
        if not services["pageInfo"]["hasPreviousPage"]:
            return [service for page in pages for service in page]
        assert len(services["edges"]) == last, "a page that is not the first one is full"
        before = services["pageInfo"]["startCursor"]


class ShuffledPvog:
    """The topology's Köln texts (and every other) in a shuffled order: one service's texts
    lie far apart in the answer, unlike the sandbox's order by name."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def get(self, path: str, params: dict[str, Any]) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def search_calls(self) -> int:
        calls: dict[str, int] = self.get("/_sandbox/stats", {})["calls"]
        return calls.get(SEARCH_ROUTE, 0)


@pytest.fixture(scope="module")
def shuffled_pvog(loop_thread: LoopThread) -> Iterator[ShuffledPvog]:
    data = central_catalogue(sample_municipalities(4), 2026)
    texts = list(data.descriptions)
    random.Random(9).shuffle(texts)  # noqa: S311 - a fixed test order, not a secret
    data = replace(data, descriptions=tuple(texts))
    for url in serving(loop_thread, PvogUpstream(data, seed=2026).app):
        pvog = ShuffledPvog(url)
        yield pvog
        pvog.http.close()


@pytest.fixture(scope="module")
def shuffled_gateway(
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
    shuffled_pvog: ShuffledPvog,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Gateway]:
    pvog = sandbox.url("pvog")
    toml = sandbox.toml_path.read_text(encoding="utf-8")
    assert toml.count(f'"{pvog}"') == 1, "the v2 network file names its PVOG once"
    path = tmp_path_factory.mktemp("shuffled") / "network.toml"
    path.write_text(toml.replace(f'"{pvog}"', f'"{shuffled_pvog.url}"'), encoding="utf-8")
    for url in serving(loop_thread, create_app(gateway_settings.override(network=str(path)))):
        gateway = Gateway(url)
        yield gateway
        gateway.http.close()


@pytest.mark.parametrize("first", [5, 20])
def test_texts_of_one_service_far_apart_still_show_it_once(
    shuffled_gateway: Gateway, shuffled_pvog: ShuffledPvog, first: int
) -> None:
    expected = most_local(shuffled_pvog.get, KOELN)
    keys = [key for key, _ in expected]
    positions: dict[
        str, list[int]
    ] = {}  # how far apart the texts of one service lie in the shuffled answer
    answer = shuffled_pvog.get(SEARCH_PATH, {"ars": KOELN, "page": 0, "size": 500})
    for position, hit in enumerate(answer["serviceDescriptions"]["content"]):
        positions.setdefault(hit["name"], []).append(position)
    assert max(p[-1] - p[0] for p in positions.values()) > 3 * first, "texts lie far apart"
    seen, pages = walk(shuffled_gateway, first, shuffled_pvog.search_calls)
    assert [(key, pvog_id) for key, pvog_id, _ in seen] == expected
    assert len(set(keys)) == len(keys)
    assert pages[-1]["pageInfo"]["hasNextPage"] is False
    # Backwards from the end the same services come, each once, in the same order.
    assert walk_backwards(shuffled_gateway, first, shuffled_pvog.search_calls) == expected
