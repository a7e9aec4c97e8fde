"""Search hits: what the merge reads at once, the full description only on request."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from sources._http import Upstream
from sources._parse import MalformedError
from sources._pvog_payloads import parse_search_page, parse_service, record_of
from sources.base import Capability, PortalRecord, ServiceQuery, Tier, UpstreamRef, hit_of
from sources.errors import SourceBadResponseError
from sources.pvog import PvogDirectory
from tests.helpers.records import service_record

SAMPLES = Path(__file__).parents[2] / "samples/pvog"
SEARCH = json.loads((SAMPLES / "search.json").read_text())
ITEMS: list[dict[str, Any]] = SEARCH["serviceDescriptions"]["content"]
PVOG = PortalRecord("pvog", "PVOG", Tier.FEDERAL, "000000000000", None, {})


def test_a_hit_holds_the_merge_fields_and_builds_the_same_record_as_a_full_parse() -> None:
    hits, _total = parse_search_page(SEARCH, "pvog")
    records = [parse_service(item, "pvog") for item in ITEMS]
    assert [(h.portal_id, h.id, h.name, h.leika_keys, h.organisation_ids) for h in hits] == [
        (r.portal_id, r.id, r.name, r.leika_keys, r.organisation_ids) for r in records
    ]
    assert [hit.record() for hit in hits] == records


def test_the_texts_are_not_read_until_the_record_is_asked_for() -> None:
    broken = {"serviceDescriptions": {"content": [ITEMS[0] | {"details": "not a list"}]}}
    hits, _total = parse_search_page(broken, "pvog")  # the merge fields are fine
    assert hits[0].id == ITEMS[0]["id"]
    with pytest.raises(MalformedError):
        hits[0].record()


def test_a_hit_with_completed_keys_builds_its_record_with_them() -> None:
    hit = parse_search_page(SEARCH, "pvog")[0][0]
    completed = replace(hit, leika_keys=("99000000000000",), portal_id="bund")
    record = record_of(ITEMS[0], completed)
    assert (record.leika_keys, record.portal_id) == (("99000000000000",), "bund")
    assert completed.record() == record
    assert completed.record() is completed.record()  # built once (a cached page serves many)
    assert hit.record().leika_keys != record.leika_keys  # the copy built its own
    assert completed == replace(hit, leika_keys=("99000000000000",), portal_id="bund")


def test_a_built_record_as_a_hit_gives_that_record_back_or_a_copy_with_the_hits_keys() -> None:
    record = service_record("koeln", "K.LB.1", "Reisepass", ("99001",))
    hit = hit_of(record)
    assert (hit.portal_id, hit.id, hit.name, hit.leika_keys) == (
        "koeln",
        "K.LB.1",
        "Reisepass",
        ("99001",),
    )
    assert hit.record() is record
    assert replace(hit, leika_keys=("99002",)).record() == replace(record, leika_keys=("99002",))


async def test_a_malformed_text_asked_for_later_is_the_pvogs_bad_response() -> None:
    body = {"serviceDescriptions": {"content": [ITEMS[1] | {"onlineServiceLinks": {}}]}}
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json=body))
    upstream = Upstream(
        httpx.AsyncClient(transport=transport),
        "http://pvog.test",
        ref=UpstreamRef(PVOG.id, Capability.SERVICES),
    )
    page = await PvogDirectory(PVOG, upstream).search_page(ServiceQuery("000000000000", size=5))
    assert [hit.id for hit in page.services] == [ITEMS[1]["id"]]
    with pytest.raises(SourceBadResponseError):
        page.services[0].record()
