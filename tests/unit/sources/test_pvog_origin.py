"""Records built once with their origin: the same answer as parsing, then re-attributing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import httpx

from sources._http import Upstream
from sources._pvog_payloads import parse_search_page, parse_service
from sources.base import Capability, PortalRecord, ServiceQuery, Tier, UpstreamRef
from sources.pvog import PvogDirectory

SAMPLES = Path(__file__).parents[2] / "samples/pvog"
SEARCH = json.loads((SAMPLES / "search.json").read_text())
DETAIL = json.loads((SAMPLES / "servicedescription.json").read_text())
PVOG = PortalRecord("pvog", "PVOG", Tier.FEDERAL, "000000000000", None, {})
OWNERS: dict[tuple[str, ...], str] = {("000000000000",): "bund", ("050000000000",): "nrw"}


def owner(areas: tuple[str, ...]) -> str | None:
    return OWNERS.get(areas)


def test_parsing_with_the_origin_equals_parsing_then_re_attributing() -> None:
    """What `replace(record, portal_id=origin)` gave per record before, on the samples."""
    hits, total = parse_search_page(SEARCH, "pvog")
    plain = [hit.record() for hit in hits]
    built, same_total = parse_search_page(SEARCH, "pvog", owner)
    assert [hit.record() for hit in built] == [
        replace(r, portal_id=owner(r.areas) or r.portal_id) for r in plain
    ]
    assert [r.portal_id for r in built] == ["nrw", "bund"]
    assert total == same_total == 2
    detail = parse_service(DETAIL, "pvog")
    assert parse_service(DETAIL, "pvog", owner) == replace(
        detail, portal_id=owner(detail.areas) or "pvog"
    )
    assert parse_service(DETAIL, "pvog", lambda _areas: None) == detail


async def test_each_ars_list_is_attributed_once_per_directory() -> None:
    hits = [SEARCH["serviceDescriptions"]["content"][1] | {"id": f"B1.LB.{n}"} for n in range(6)]
    body = {"serviceDescriptions": {"content": hits, "totalElements": len(hits)}}
    asked: list[tuple[str, ...]] = []

    def counted(areas: tuple[str, ...]) -> str | None:
        asked.append(areas)
        return owner(areas)

    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json=body))
    upstream = Upstream(
        httpx.AsyncClient(transport=transport),
        "http://pvog.test",
        ref=UpstreamRef(PVOG.id, Capability.SERVICES),
    )
    pvog = PvogDirectory(PVOG, upstream, origin=counted)
    for _ in range(2):
        page = await pvog.search_page(ServiceQuery("053150000000", size=10))
        assert [s.portal_id for s in page.services] == ["bund"] * 6
    assert asked == [("000000000000",)]
