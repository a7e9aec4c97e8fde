"""A Service from a search hit reads its full record only for a text, fee or link field."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from graph.domain.ids import from_global_id
from graph.domain.outages import OutageLog
from graph.resolvers.pagination import decode_cursor, encode_cursor
from graph.types.connection import Edge, LazyEdge
from graph.types.node import to_global_id
from graph.types.portal import Portal
from graph.types.service import Service
from sources._pvog_payloads import parse_hit, parse_service, record_of
from sources.base import Capability, PortalRecord, ServiceHit, ServiceRecord, Tier, UpstreamRef
from sources.errors import SourceBadResponseError

SAMPLE = json.loads(
    (Path(__file__).parents[3] / "samples/pvog/servicedescription.json").read_text()
)
BUND = Portal.from_record(PortalRecord("bund", "Bund", Tier.FEDERAL, "000000000000", None, {}))
PVOG = UpstreamRef("bund", Capability.SERVICES)


def info() -> Any:
    """What the text fields read of `strawberry.Info`: the request's outage log."""
    return SimpleNamespace(context=SimpleNamespace(outages=OutageLog()))


class Counted:
    """`record_of`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, raw: object, hit: ServiceHit) -> ServiceRecord:
        self.calls += 1
        return record_of(raw, hit)


def test_names_and_ids_need_no_record_and_the_texts_build_it_once() -> None:
    built = Counted()
    service = Service.from_hit(parse_hit(SAMPLE, "bund", None, built), BUND)
    assert (service.pvog_id, service.name, service.ars(), service.tier()) == (
        SAMPLE["id"],
        SAMPLE["name"],
        "000000000000",
        Tier.FEDERAL,
    )
    assert built.calls == 0
    record, asked = parse_service(SAMPLE, "bund"), info()
    assert service.teaser(asked) == record.teaser
    assert [f.amount_cents for f in service.fees(asked)] == [f.amount_cents for f in record.fees]
    links = service.legal_basis(asked)
    assert [link.url for link in links] == [link.uri for link in record.legal_basis]
    assert service.last_update(asked) == record.last_update
    assert built.calls == 1
    assert asked.context.outages.entries == []


def test_a_text_that_cannot_be_read_is_the_pvogs_outage_and_shows_no_texts() -> None:
    def malformed(_raw: object, _hit: ServiceHit) -> ServiceRecord:
        raise SourceBadResponseError("bund/SERVICES: unexpected payload", upstream=PVOG)

    service, asked = Service.from_hit(parse_hit(SAMPLE, "bund", None, malformed), BUND), info()
    assert (service.teaser(asked), service.fees(asked), service.approved_on(asked)) == (
        None,
        [],
        None,
    )
    assert service.name == SAMPLE["name"]
    assert [(e.upstream, e.code) for e in asked.context.outages.entries] == [
        (PVOG, SourceBadResponseError("", upstream=PVOG).code)
    ]


def test_a_service_from_a_record_answers_the_same_as_from_its_hit() -> None:
    record = parse_service(SAMPLE, "bund")
    from_record = Service.from_record(record, BUND)
    from_hit = Service.from_hit(parse_hit(SAMPLE, "bund", None, record_of), BUND)
    fields = ("id", "pvog_id", "leika_key", "leika_keys", "name", "organisation_ids")
    assert [getattr(from_record, f) for f in fields] == [getattr(from_hit, f) for f in fields]
    assert from_record.record(info()) is record
    assert from_hit.record(info()) == record


def test_the_global_id_is_encoded_when_read_and_names_the_hits_portal_and_id() -> None:
    hit = parse_hit(SAMPLE, "koeln", None, record_of)
    service = Service.from_hit(hit, BUND)
    assert isinstance(service, Service)  # what GraphQL checks of a Node's type
    assert service.id == to_global_id("Service", "koeln", SAMPLE["id"])
    assert from_global_id(service.id) == ("Service", ("koeln", SAMPLE["id"]))
    service.record(info())  # the content becomes the record: the same id
    assert service.id == to_global_id("Service", "koeln", SAMPLE["id"])


def test_a_lazy_edge_encodes_the_cursor_paginate_would_have() -> None:
    edge = LazyEdge("node", partial(encode_cursor, "services", 41))
    assert (edge.node, edge.cursor) == ("node", encode_cursor("services", 41))
    assert isinstance(edge, Edge)
    assert decode_cursor(edge.cursor, "services") == 41
