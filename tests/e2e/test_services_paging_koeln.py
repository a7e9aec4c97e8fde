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

import pytest

from graph.resolvers.services_paging import MAX_CALLS
from graph.testing import LoopThread
from sandbox.pvog_catalogue import CLIENT_ID_HEADER, central_catalogue
from sandbox.scale import sample_municipalities
from sources.base import ars_prefix
from tests.conftest import Gateway, Sandbox
from tests.helpers.pvog_swap import OwnPvog, gateway_fixture, own_pvog

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
    gateway: Gateway, size: int, calls: Callable[[], int], *, forwards: bool = True
) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
    """Every page of a Köln search, forwards (`first`, `after: endCursor`) or from the end
    (`last`, `before: startCursor`): (leikaKey, pvogId, origin) in the answer's order, and
    the pages in the order asked."""
    more, cursor = ("hasNextPage", "endCursor") if forwards else ("hasPreviousPage", "startCursor")
    seen: list[list[tuple[str, str, str]]] = []
    pages: list[dict[str, Any]] = []
    variables: dict[str, Any] = {"ars": KOELN, "first" if forwards else "last": size}
    while True:
        spent = calls()
        body = gateway.query(QUERY, variables)
        assert "errors" not in body, body
        services = body["data"]["services"]
        assert calls() - spent <= MAX_CALLS, "upstream search calls of one page are bounded"
        edges = [
            (e["node"]["leikaKey"], e["node"]["pvogId"], e["node"]["originPortal"]["id"])
            for e in services["edges"]
        ]
        seen.insert(len(seen) if forwards else 0, edges)
        pages.append(services)
        if not services["pageInfo"][more]:
            return [edge for page in seen for edge in page], pages
        assert len(edges) == size, "a page with another one after it is full"
        variables["after" if forwards else "before"] = services["pageInfo"][cursor]


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


@pytest.fixture(scope="module")
def shuffled_pvog(loop_thread: LoopThread) -> Iterator[OwnPvog]:
    """The topology's texts in a shuffled order: one service's texts lie far apart in the
    answer, unlike in the sandbox's order by name."""
    data = central_catalogue(sample_municipalities(4), 2026)
    texts = list(data.descriptions)
    random.Random(9).shuffle(texts)  # noqa: S311 - a fixed test order, not a secret
    data = replace(data, descriptions=tuple(texts))
    yield from own_pvog(loop_thread, data)


shuffled_gateway = gateway_fixture("shuffled_pvog")


@pytest.mark.parametrize("first", [5, 20])
def test_texts_of_one_service_far_apart_still_show_it_once(
    shuffled_gateway: Gateway, shuffled_pvog: OwnPvog, first: int
) -> None:
    def calls() -> int:
        return int(shuffled_pvog.stats()["calls"].get(SEARCH_ROUTE, 0))

    expected = most_local(shuffled_pvog.get, KOELN)
    keys = [key for key, _ in expected]
    positions: dict[
        str, list[int]
    ] = {}  # how far apart the texts of one service lie in the shuffled answer
    answer = shuffled_pvog.get(SEARCH_PATH, {"ars": KOELN, "page": 0, "size": 500})
    for position, hit in enumerate(answer["serviceDescriptions"]["content"]):
        positions.setdefault(hit["name"], []).append(position)
    assert max(p[-1] - p[0] for p in positions.values()) > 3 * first, "texts lie far apart"
    seen, pages = walk(shuffled_gateway, first, calls)
    assert [(key, pvog_id) for key, pvog_id, _ in seen] == expected
    assert len(set(keys)) == len(keys)
    assert pages[-1]["pageInfo"]["hasNextPage"] is False
    # Backwards from the end the same services come, each once, in the same order.
    backwards, _ = walk(
        shuffled_gateway,
        first,
        calls,
        forwards=False,
    )
    assert [(key, pvog_id) for key, pvog_id, _ in backwards] == expected
