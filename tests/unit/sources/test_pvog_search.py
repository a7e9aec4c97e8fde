"""PVOG search answers read typed (msgspec) give what the general path gives, and fail alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from sources._http import Upstream
from sources._parse import MalformedError
from sources._pvog_payloads import parse_search_page, record_of
from sources._pvog_search import NotJsonError, decode_search_page, text_of
from sources.base import Capability, PortalRecord, ServiceHit, ServiceQuery, Tier, UpstreamRef
from sources.errors import SourceBadResponseError
from sources.pvog import PvogDirectory

SAMPLES = Path(__file__).parents[2] / "samples/pvog"
SEARCH: dict[str, Any] = json.loads((SAMPLES / "search.json").read_text())
ITEMS: list[dict[str, Any]] = SEARCH["serviceDescriptions"]["content"]
PVOG = PortalRecord("pvog", "PVOG", Tier.FEDERAL, "000000000000", None, {})
TYPED_RECORDS: list[Any] = []  # what each typed hit's `full` was handed


def typed_full(raw: Any, hit: ServiceHit) -> Any:
    TYPED_RECORDS.append(raw)
    return record_of(text_of(raw), hit)


def origin(areas: tuple[str, ...]) -> str | None:
    return "land" if any(a.startswith("05") for a in areas) else None


def both(body: Any) -> tuple[Any, Any]:
    """The page through the general path (decoded JSON) and the typed one (its bytes)."""
    general = parse_search_page(body, "pvog", origin, record_of)
    typed = decode_search_page(orjson.dumps(body), "pvog", origin, typed_full)
    return general, typed


def fields(hits: list[ServiceHit]) -> list[tuple[object, ...]]:
    return [(h.portal_id, h.id, h.name, h.leika_keys, h.organisation_ids) for h in hits]


VARIANTS = {
    "the sample": SEARCH,
    "without a total": {"serviceDescriptions": {"content": ITEMS}},
    "keys null": {"serviceDescriptions": {"content": [ITEMS[1] | {"leikakeys": None}]}},
    # Accepted by the general path (`or []`), refused by the typed one: read the general way.
    "keys an empty string": {"serviceDescriptions": {"content": [ITEMS[1] | {"leikakeys": ""}]}},
    "no ars": {"serviceDescriptions": {"content": [{"id": "X.LB.1", "name": "Ausweis"}]}},
}


@pytest.mark.parametrize("name", VARIANTS)
def test_the_recorded_samples_decode_identically_through_both_paths(name: str) -> None:
    TYPED_RECORDS.clear()
    (general, general_total), (typed, typed_total) = both(VARIANTS[name])
    assert fields(typed) == fields(general)
    assert typed_total == general_total
    assert [hit.record() for hit in typed] == [hit.record() for hit in general]


def test_the_typed_path_keeps_each_text_raw_until_its_record_is_asked_for() -> None:
    TYPED_RECORDS.clear()
    typed, _total = decode_search_page(orjson.dumps(SEARCH), "pvog", origin, typed_full)
    assert TYPED_RECORDS == []
    assert typed[1].record().id == ITEMS[1]["id"]
    assert [orjson.loads(bytes(raw)) for raw in TYPED_RECORDS] == [ITEMS[1]]


@pytest.mark.parametrize(
    "body",
    [
        {"serviceDescriptions": {"content": [ITEMS[0]], "totalElements": 0}},
        {"serviceDescriptions": {"content": [ITEMS[0]], "totalElements": True}},
        {"serviceDescriptions": {"content": [ITEMS[0] | {"id": 7}]}},
        {"serviceDescriptions": {"content": [ITEMS[0] | {"ars": None}]}},
        {"serviceDescriptions": {"content": ["not an object"]}},
        {"serviceDescriptions": {"content": {}}},
        {"serviceDescriptions": []},
        [],
    ],
)
def test_a_malformed_envelope_fails_as_the_general_path_does(body: Any) -> None:
    with pytest.raises(MalformedError) as general:
        parse_search_page(body, "pvog", origin, record_of)
    with pytest.raises(MalformedError) as typed:
        decode_search_page(orjson.dumps(body), "pvog", origin, typed_full)
    assert str(typed.value) == str(general.value)


def test_a_body_that_is_no_json_is_told_apart() -> None:
    with pytest.raises(NotJsonError):
        decode_search_page(b'{"serviceDescriptions": {"content": [}', "pvog", None, typed_full)


def test_a_utf16_body_is_read_the_general_way() -> None:
    hits, _total = decode_search_page(
        json.dumps(SEARCH).encode("utf-16"), "pvog", origin, typed_full
    )
    assert fields(hits) == fields(parse_search_page(SEARCH, "pvog", origin)[0])


def adapter(answer: httpx.Response) -> PvogDirectory:
    upstream = Upstream(
        httpx.AsyncClient(transport=httpx.MockTransport(lambda _request: answer)),
        "http://pvog.test",
        ref=UpstreamRef(PVOG.id, Capability.SERVICES),
    )
    return PvogDirectory(PVOG, upstream)


@pytest.mark.parametrize(
    ("content", "detail"),
    [(b"<html>", "body is not JSON"), (b'{"serviceDescriptions": 1}', "unexpected payload")],
)
async def test_the_adapter_words_a_bad_answer_as_before(content: bytes, detail: str) -> None:
    directory = adapter(httpx.Response(200, content=content))
    with pytest.raises(SourceBadResponseError, match=detail):
        await directory.search_page(ServiceQuery("000000000000", size=5))


async def test_a_malformed_text_fails_only_when_its_record_is_asked_for() -> None:
    broken = ITEMS[1] | {"id": "X.LB.2", "details": "no list"}  # ITEMS[0] has no keys
    body = {"serviceDescriptions": {"content": [ITEMS[1], broken]}}
    page = await adapter(httpx.Response(200, json=body)).search_page(
        ServiceQuery("000000000000", size=5)
    )
    assert page.services[0].record().id == ITEMS[1]["id"]
    with pytest.raises(SourceBadResponseError, match="unexpected payload"):
        page.services[1].record()
