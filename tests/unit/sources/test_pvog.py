"""The PVOG adapter: one organisation unit per call, keyless search hits, paging, bad bodies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.domain.merge import merge_most_local
from sources._http import Upstream
from sources._known_keys import KnownKeys
from sources._pvog_payloads import fee_cents, parse_fee, parse_search, parse_service
from sources.base import Capability, PortalRecord, ServiceQuery, Tier, UpstreamRef
from sources.errors import SourceBadResponseError
from sources.pvog import PvogDirectory
from tests.helpers.records import service_record

SAMPLES = Path(__file__).parents[2] / "samples/pvog"
PORTAL = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})
OE = json.loads((SAMPLES / "organisationunit.json").read_text())
DETAIL = json.loads((SAMPLES / "servicedescription.json").read_text())
SEARCH = json.loads((SAMPLES / "search.json").read_text())


def directory(
    handler: Callable[[httpx.Request], httpx.Response], portal: PortalRecord = PORTAL
) -> PvogDirectory:
    transport = httpx.MockTransport(handler)
    upstream = Upstream(
        httpx.AsyncClient(transport=transport),
        "http://pvog.test",
        ref=UpstreamRef(portal.id, Capability.SERVICES),
    )
    return PvogDirectory(portal, upstream, client_id="portalgraph-test")


@pytest.mark.parametrize(
    ("title", "cents"),
    [
        ("Gebühr: 70,00 Euro", 7000),
        ("Gebühr: 1.037,50 Euro", 103750),
        ("gebührenfrei", 0),
        ("nach Aufwand", None),
    ],
)
def test_fee_titles_become_cents(title: str, cents: int | None) -> None:
    assert parse_fee({"title": title}).amount_cents == cents
    assert parse_fee({"title": title, "text": "je Antrag"}).description == f"{title} (je Antrag)"


def test_a_fee_title_seen_again_is_not_searched_again() -> None:
    fee_cents.cache_clear()
    assert [fee_cents("Gebühr: 28,00 Euro") for _ in range(3)] == [2800] * 3
    info = fee_cents.cache_info()
    assert (info.misses, info.hits) == (1, 2)


@pytest.mark.parametrize(
    "body",
    [
        {"serviceDescriptions": {"content": [{"id": 42}]}},
        {"serviceDescriptions": {"content": "nope"}},
        {"serviceDescriptions": {"content": [], "totalElements": -1}},
        {"serviceDescriptions": None},
        [],
    ],
)
def test_malformed_search_bodies_raise(body: Any) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        parse_search(body, "koeln")


async def test_organisations_are_fetched_one_q_per_call_a_few_at_a_time() -> None:
    seen: list[list[str]] = []
    running, peak = 0, 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        ids = request.url.params.get_list("q")
        seen.append(ids)
        assert request.headers["pvog-sud-api-client-id"] == "portalgraph-test"
        if ids[0] == "L100042.OE.404":
            return httpx.Response(404, json={"title": "Not Found"})
        return httpx.Response(200, json=OE | {"id": ids[0]})

    transport = httpx.MockTransport(answer)
    upstream = Upstream(
        httpx.AsyncClient(transport=transport),
        "http://pvog.test",
        ref=UpstreamRef("koeln", Capability.SERVICES),
    )
    pvog = PvogDirectory(PORTAL, upstream, client_id="portalgraph-test")
    wanted = [f"L100042.OE.{n}" for n in range(20)] + ["L100042.OE.404", "L100042.OE.1"]
    found = await pvog.organisations(wanted)
    assert all(len(ids) == 1 for ids in seen)  # the endpoint takes one q and answers one object
    assert len(seen) == 21  # each id once, the duplicate asked for only once
    assert set(found) == {f"L100042.OE.{n}" for n in range(20)}  # the 404 is simply missing
    assert 1 < peak <= 8
    record = found["L100042.OE.3"]
    assert (record.phone, record.addresses[0].postal_code) == ("0906 74-0", "86609")


async def test_keyless_hits_get_their_keys_from_the_detail_so_the_merge_sees_one_service() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/v8beta1/servicedescriptions":
            return httpx.Response(200, json=SEARCH)
        assert request.url.path == "/v6/servicedescriptions/L100002.LB.121370768/detail"
        return httpx.Response(200, json=DETAIL)

    page = await directory(answer).search_page(ServiceQuery("053150000000", "Pass"))
    assert [s.leika_keys for s in page.services] == [("99085001012000",), ("99107004018000",)]
    assert calls.count("/v6/servicedescriptions/L100002.LB.121370768/detail") == 1
    # The same service described federally, with its key: one service after merging.
    federal = PortalRecord("bund", "Bund", Tier.FEDERAL, "000000000000", None, {})
    stammtext = parse_service(DETAIL | {"id": "B100019.LB.1"}, "bund")
    hits = [hit.record() for hit in page.services]
    merged = merge_most_local([*hits, stammtext], {"koeln": PORTAL, "bund": federal})
    assert sorted(r.id for r in merged) == ["B100019.LB.581863", "L100002.LB.121370768"]


async def test_a_keyless_hit_read_again_costs_no_second_detail_call() -> None:
    """A services page reads a text and then looks up its key: the hit comes twice."""
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/v8beta1/servicedescriptions":
            return httpx.Response(200, json=SEARCH)
        return httpx.Response(200, json=DETAIL)

    pvog = directory(answer)
    first = await pvog.search_page(ServiceQuery("053150000000", "Pass"))
    again = await pvog.search_page(ServiceQuery("053150000000", "Pass", page=1, size=5))
    assert again.services == first.services
    assert calls.count("/v6/servicedescriptions/L100002.LB.121370768/detail") == 1


def test_learnt_keys_are_bounded_oldest_first() -> None:
    known = KnownKeys(limit=2)
    records = [service_record("pvog", f"L1.LB.{n}", "x", (f"99{n:012d}",)) for n in range(3)]
    for record in records:
        assert known.learn(record) is record
    keyless = [replace(r, leika_keys=()) for r in records]
    assert known.completed(keyless[0]) is None  # the oldest went
    assert [known.completed(r) for r in keyless[1:]] == records[1:]


async def test_a_key_asked_for_completes_a_keyless_hit_without_a_detail_call() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=SEARCH)

    query = ServiceQuery("053150000000", None, ("99085001012000",))
    page = await directory(answer).search_page(query)
    assert page.services[0].leika_keys == ("99085001012000",)
    assert calls == ["/v8beta1/servicedescriptions"]


async def test_paging_maps_onto_page_and_size_and_exposes_the_total() -> None:
    seen: list[httpx.QueryParams] = []
    hits = [SEARCH["serviceDescriptions"]["content"][1] | {"id": f"B1.LB.{n}"} for n in range(7)]

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        page, size = int(request.url.params["page"]), int(request.url.params["size"])
        body = {"content": hits[page * size : (page + 1) * size], "totalElements": len(hits)}
        return httpx.Response(200, json={"serviceDescriptions": body})

    pvog = directory(answer)
    second = await pvog.search_page(ServiceQuery("053150000000", "Kind", page=1, size=3))
    assert (second.total, second.page, second.size) == (7, 1, 3)
    assert [s.id for s in second.services] == ["B1.LB.3", "B1.LB.4", "B1.LB.5"]
    params = seen[0]
    assert (params["ars"], params["q"], params["page"], params["size"]) == (
        "053150000000", "Kind", "1", "3",
    )  # fmt: skip
    assert params["useArsHierarchy"] == "true"
    seen.clear()
    every = await pvog.search(ServiceQuery("053150000000", "Kind", size=3))
    assert [s.id for s in every] == [f"B1.LB.{n}" for n in range(7)]  # not cut at one page
    assert [p["page"] for p in seen] == ["0", "1", "2"]


async def test_without_a_total_a_full_page_means_more_may_follow() -> None:
    hits = [SEARCH["serviceDescriptions"]["content"][1] | {"id": f"B1.LB.{n}"} for n in range(7)]

    def answer(request: httpx.Request) -> httpx.Response:
        page, size = int(request.url.params["page"]), int(request.url.params["size"])
        body = {"content": hits[page * size : (page + 1) * size]}  # no totalElements
        return httpx.Response(200, json={"serviceDescriptions": body})

    pvog = directory(answer)
    first = await pvog.search_page(ServiceQuery("053150000000", size=5))
    assert first.total == 6, "5 hits on a full page: at least one more"
    last = await pvog.search_page(ServiceQuery("053150000000", page=1, size=5))
    assert last.total == 7, "a page that is not full ends the list"
    every = await pvog.search(ServiceQuery("053150000000", size=3))
    assert [s.id for s in every] == [f"B1.LB.{n}" for n in range(7)]


async def test_malformed_payloads_become_bad_response_errors() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"id": "L100002.OE.1"}])  # a list, not one object

    with pytest.raises(SourceBadResponseError):
        await directory(answer).organisations(["L100002.OE.1"])
