"""What a services page reads of the PVOG's answer: reads by position, look-ups by key."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from graph.loaders import Loaders
from graph.resolvers.services_scan import AnswerRead
from sources.base import (
    PortalRecord,
    ServiceHit,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
    Tier,
    hit_of,
)
from tests.helpers.records import service_record

PORTALS = {
    "bund": PortalRecord("bund", "Bund", Tier.FEDERAL, "000000000000", None, {}),
    "koeln": PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {}),
}
PASS, KINDERPASS = "99085001012000", "99085001013000"


class FakeLoaders:
    """The PVOG's answer as a list; `leikaIds` keeps texts with any of the keys asked."""

    def __init__(self, answer: Sequence[ServiceRecord]) -> None:
        self.answer = list(answer)
        self.asked: list[ServiceQuery] = []

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord:
        self.asked.append(query)
        hits = [
            r
            for r in self.answer
            if not query.leika_keys or set(query.leika_keys) & set(r.leika_keys)
        ]
        start = query.page * query.size
        return ServicePageRecord(
            tuple(map(hit_of, hits[start : start + query.size])), len(hits), query.page, query.size
        )

    def origins(self, records: Sequence[ServiceRecord | ServiceHit]) -> dict[str, PortalRecord]:
        return {r.portal_id: PORTALS[r.portal_id] for r in records if r.portal_id in PORTALS}


def read(
    answer: Sequence[ServiceRecord], query: ServiceQuery, budget: int = 6
) -> tuple[AnswerRead, FakeLoaders]:
    loaders = FakeLoaders(answer)
    return AnswerRead(cast(Loaders, loaders), query, budget), loaders


def test_a_read_keeps_positions_and_leaves_out_texts_of_no_network_portal() -> None:
    answer = [
        service_record("bund", "B.1", "Pass", (PASS,)),
        service_record("elsewhere", "L.9", "Pass", (PASS,)),
        service_record("koeln", "L.2", "Pass", (PASS,)),
    ]
    scan, _ = read(answer, ServiceQuery("053150000000"))
    assert asyncio.run(scan.read_page(0, 5))
    assert scan.read == {0, 1, 2}
    assert scan.whole
    assert {p: (t.record.id, t.locality) for p, t in scan.texts.items()} == {
        0: ("B.1", 0),
        2: ("L.2", 5),
    }


def test_a_look_up_keeps_the_searchs_own_key_filter() -> None:
    """A text whose first key is the Kinderpass but that the Pass filter let through: its
    look-up asks the Kinderpass key and must not count Kinderpass texts the filter hides."""
    answer = [
        service_record("bund", "B.1", "Pass", (KINDERPASS, PASS)),
        service_record("koeln", "L.2", "Kinderpass", (KINDERPASS,)),
    ]
    scan, loaders = read(answer, ServiceQuery("053150000000", None, (PASS,)))
    assert asyncio.run(scan.look_up([KINDERPASS]))
    assert loaders.asked[-1].leika_keys == (KINDERPASS,)
    assert [t.record.id for t in scan.looked_up[KINDERPASS]] == ["B.1"]


def test_a_look_up_pages_on_and_stops_at_the_budget() -> None:
    answer = [service_record("bund", f"B.{n}", "Pass", (PASS,)) for n in range(12)]
    scan, loaders = read(answer, ServiceQuery("000000000000"), budget=2)
    assert not asyncio.run(scan.look_up([PASS]))  # 12 texts, 5 a page: 3 calls needed
    assert scan.looked_up == {}
    assert len(loaders.asked) == 2
    scan, _ = read(answer, ServiceQuery("000000000000"), budget=3)
    assert asyncio.run(scan.look_up([PASS]))
    assert len(scan.looked_up[PASS]) == 12
