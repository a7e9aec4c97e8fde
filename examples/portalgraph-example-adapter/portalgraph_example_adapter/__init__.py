"""A municipality's own service directory, served from static data.

It implements the `ServiceDirectory` Protocol of `sources.base`; Portalgraph finds it by
the entry point `example-directory` (group `portalgraph.sources`) named in network.toml:

    [portals.services]
    url = "https://services.example-town.de"
    adapter = "example-directory"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import (
    AddressRecord,
    FeeRecord,
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServiceQuery,
    ServiceRecord,
    ars_covers,
)

OFFICE = "EX.OE.1"


def _service(
    portal_id: str, number: int, name: str, leika: str, area: str, fee: int | None
) -> ServiceRecord:
    return ServiceRecord(
        portal_id=portal_id,
        id=f"EX.LB.{number}",
        name=name,
        leika_keys=(leika,),
        areas=(area,),
        teaser=f"{name} bei der Beispielstadt.",
        description=None,
        required_documents=None,
        prerequisites=None,
        fees_text=None,
        fees=(FeeRecord("Gebühr", fee),) if fee is not None else (),
        deadlines=None,
        processing_time=None,
        legal_basis=(),
        online_services=(),
        organisation_ids=(OFFICE,),
        approved_by=None,
        approved_on=None,
        last_update=None,
    )


class StaticDirectory:
    """Three services of one town; the portal's ARS is their area."""

    def __init__(self, portal: PortalRecord) -> None:
        self.portal = portal
        area = portal.ars
        self.services = [
            _service(
                portal.id, 1, "Hundesteuer anmelden (Beispielstadt)", "99108008001000", area, None
            ),
            _service(portal.id, 2, "Sperrmüll anmelden (Beispielstadt)", "99108010001000", area, 0),
            _service(
                portal.id, 3, "Bewohnerparkausweis (Beispielstadt)", "99108004002000", area, 3050
            ),
        ]

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        text = (query.text or "").casefold()
        return [
            s
            for s in self.services
            if any(ars_covers(a, query.ars) for a in s.areas)
            and text in s.name.casefold()
            and (not query.leika_keys or set(query.leika_keys) & set(s.leika_keys))
        ]

    async def service(self, service_id: str) -> ServiceRecord | None:
        return next((s for s in self.services if s.id == service_id), None)

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        office = OrganisationRecord(
            portal_id=self.portal.id,
            id=OFFICE,
            name="Bürgerbüro Beispielstadt",
            role="Zuständige Stelle",
            addresses=(AddressRecord("Marktplatz", "1", "12345", "Beispielstadt"),),
            phone="01234 5678-0",
            fax=None,
            email="buergerbuero@beispielstadt.example",
            website=None,
            opening_hours="Mo–Fr 8–12 Uhr",
            last_update=None,
        )
        return {OFFICE: office} if OFFICE in ids else {}

    async def regions(self, text: str) -> list[RegionRecord]:
        return []


def create(context: Any) -> StaticDirectory:
    """The entry point: Portalgraph passes an `AdapterContext` (portal, endpoint, client)."""
    return StaticDirectory(context.portal)
