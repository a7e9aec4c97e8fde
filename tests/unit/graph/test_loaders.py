"""The per-request loaders with fake adapters: which keys each upstream receives, per batch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from graph.domain.adapters import Adapters
from graph.domain.outages import OutageLog
from graph.loaders import Loaders
from sources.base import (
    ApplicationRecord,
    Capability,
    OrganisationRecord,
    PaymentLinkRecord,
    PaymentRecord,
    PaymentRequestRecord,
    PaymentStatus,
    PortalRecord,
    RegionRecord,
    ServiceQuery,
    ServiceRecord,
    Tier,
    UpstreamRef,
    ars_covers,
)
from sources.base.portal_directory import PortalDirectory
from sources.base.topology import PortalEntryRecord
from sources.errors import SourceUnavailableError

FEDERAL = "000000000000"
ARS = {"bund": "000000000000", "nrw": "050000000000", "koeln": "053150000000"}


def portal(portal_id: str) -> PortalRecord:
    tier = {"bund": Tier.FEDERAL, "nrw": Tier.STATE}.get(portal_id, Tier.MUNICIPAL)
    return PortalRecord(portal_id, portal_id.title(), tier, ARS.get(portal_id, FEDERAL), None, {})


def service(portal_id: str, leika: str) -> ServiceRecord:
    return ServiceRecord(
        portal_id, f"{portal_id}-{leika}", f"Leistung {leika}", (leika,), (), None, None, None,
        None, None, (), None, None, (), (), (), None, None, None,
    )  # fmt: skip


class FakeDirectory:
    """Records every call with its arguments; `down` fails every call."""

    def __init__(self, portal_id: str, *, down: bool = False) -> None:
        self.portal = portal(portal_id)
        self.calls: list[tuple[str, object]] = []
        self.down = down

    def _called(self, name: str, argument: object) -> None:
        self.calls.append((name, argument))
        if self.down:
            upstream = UpstreamRef(self.portal.id, Capability.SERVICES)
            raise SourceUnavailableError("down", upstream=upstream)

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        self._called("search", query)
        return [service(self.portal.id, leika) for leika in query.leika_keys or ("99000000000001",)]

    async def service(self, service_id: str) -> ServiceRecord | None:
        self._called("service", service_id)
        return service(self.portal.id, service_id)

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        self._called("organisations", tuple(ids))
        return {
            i: OrganisationRecord(self.portal.id, i, f"Amt {i}", None, (), *(None,) * 6)
            for i in ids
        }

    async def regions(self, text: str) -> list[RegionRecord]:
        self._called("regions", text)
        return []


class FakePayments:
    def __init__(self, portal_id: str) -> None:
        self.portal = portal(portal_id)
        self.asked: list[str] = []

    async def transaction(self, link: PaymentLinkRecord) -> PaymentRecord | None:
        self.asked.append(link.transaction_id)
        if link.transaction_id == "gone":
            return None
        return PaymentRecord(
            self.portal.id, link.transaction_id, link.originator_id, link.end_point_id, None,
            PaymentStatus.INITIAL, None, 100, "EUR", None, None, (), None, None, None, None, None,
        )  # fmt: skip

    async def create(
        self, originator_id: str, end_point_id: str, request: PaymentRequestRecord
    ) -> PaymentRecord:
        raise NotImplementedError  # a write: never through the loaders

    async def find_by_request(
        self, originator_id: str, end_point_id: str, request_id: str
    ) -> PaymentRecord | None:
        raise NotImplementedError


class FakeAccounts:
    def __init__(self, portal_id: str) -> None:
        self.portal = portal(portal_id)
        self.tokens: list[str] = []

    async def account(self, subject_token: str) -> None:
        return None

    async def applications(self, subject_token: str) -> list[ApplicationRecord]:
        self.tokens.append(subject_token)
        return []

    async def link_payment(self, subject_token: str, application_id: str, link: object) -> None:
        raise NotImplementedError


def loaders(**adapters: object) -> tuple[Loaders, OutageLog]:
    outages = OutageLog()
    return Loaders(outages, Adapters(**adapters)), outages  # type: ignore[arg-type]  # fakes


def pvog_origins() -> PortalDirectory:
    return PortalDirectory(
        tuple(
            PortalEntryRecord(p, p.title(), portal(p).tier, ARS[p])
            for p in ("bund", "nrw", "koeln")
        )
    )


class HierarchyDirectory(FakeDirectory):
    """The PVOG with useArsHierarchy: a search answers every tier's text, each its own."""

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        self._called("search", query)
        keys = query.leika_keys or ("99000000000001",)
        tiers = [p for p in ("bund", "nrw", "koeln") if ars_covers(ARS[p], query.ars)]
        return [service(p, leika) for leika in keys for p in tiers]


async def test_organisations_are_one_batch_with_each_id_once() -> None:
    pvog = FakeDirectory("pvog")
    load, _ = loaders(directory=pvog)
    found = await asyncio.gather(
        load.organisation("OE1"),
        load.organisation("OE2"),
        load.organisation("OE1"),
        load.organisation("OE9"),
    )
    assert [o.id if o else None for o in found] == ["OE1", "OE2", "OE1", "OE9"]
    assert pvog.calls == [("organisations", ("OE1", "OE2", "OE9"))]


async def test_leika_lookups_are_one_search_per_region_with_every_key_asked_there() -> None:
    pvog = HierarchyDirectory("pvog")
    load, _ = loaders(directory=pvog, portals=pvog_origins())
    found = await asyncio.gather(
        load.service_for("053150000000", "99000000000001"),
        load.service_for("053150000000", "99000000000002"),
        load.service_for("051620008008", "99000000000001"),
    )
    assert pvog.calls == [
        ("search", ServiceQuery("053150000000", None, ("99000000000001", "99000000000002"))),
        ("search", ServiceQuery("051620008008", None, ("99000000000001",))),
    ]
    # Most local wins among the texts the PVOG inherited down the ARS.
    assert [r.portal_id if r else None for r in found] == ["koeln", "koeln", "nrw"]


async def test_a_search_is_one_upstream_call_and_repeats_are_cached() -> None:
    pvog = HierarchyDirectory("pvog")
    load, _ = loaders(directory=pvog, portals=pvog_origins())
    query = ServiceQuery("053150000000", "Pass", ())
    first = await load.search(query)
    await load.search(query)
    assert pvog.calls == [("search", query)]
    assert sorted(load.origins(first)) == ["bund", "koeln", "nrw"]


async def test_regions_are_one_call_to_the_pvog() -> None:
    pvog = FakeDirectory("pvog")
    load, _ = loaders(directory=pvog)
    await asyncio.gather(load.regions("Dorm"), load.regions("Dorm"))
    assert pvog.calls == [("regions", "Dorm")]


async def test_a_failing_pvog_empties_its_keys_and_is_logged_once() -> None:
    pvog = FakeDirectory("pvog", down=True)
    load, outages = loaders(directory=pvog)
    assert await load.search(ServiceQuery("050000000000", None, ())) == []
    assert await load.service("x") is None
    assert await load.organisation("OE1") is None
    assert [(str(e.upstream), e.code.value) for e in outages.entries] == [
        ("pvog/services", "UPSTREAM_UNAVAILABLE")
    ]
