"""Public data: service descriptions, authorities, regions, and the directory seam."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from sources.base.portals import PortalRecord
from sources.base.vocabulary import TrustLevel


@dataclass(frozen=True, slots=True)
class LinkRecord:
    title: str
    uri: str


@dataclass(frozen=True, slots=True)
class FeeRecord:
    description: str
    amount_cents: int | None
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class OnlineServiceRecord:
    """A link to an online service. PVOG's JSON carries no trust level for it (only raw
    XZuFi `onlinedienst.vertrauensniveau` does), so the PVOG adapter leaves it None."""

    title: str
    uri: str
    trust_level: TrustLevel | None = None


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One Leistungsbeschreibung as one portal's editors wrote it."""

    portal_id: str
    id: str
    name: str
    leika_keys: tuple[str, ...]
    areas: tuple[str, ...]
    teaser: str | None
    description: str | None
    required_documents: str | None
    prerequisites: str | None
    fees_text: str | None
    fees: tuple[FeeRecord, ...]
    deadlines: str | None
    processing_time: str | None
    legal_basis: tuple[LinkRecord, ...]
    online_services: tuple[OnlineServiceRecord, ...]
    organisation_ids: tuple[str, ...]
    approved_by: str | None
    approved_on: date | None
    last_update: datetime | None


@dataclass(frozen=True, slots=True)
class AddressRecord:
    street: str | None
    house_number: str | None
    postal_code: str | None
    city: str | None


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    """An Organisationseinheit (authority or office)."""

    portal_id: str
    id: str
    name: str
    role: str | None
    addresses: tuple[AddressRecord, ...]
    phone: str | None
    fax: str | None
    email: str | None
    website: str | None
    opening_hours: str | None
    last_update: datetime | None


@dataclass(frozen=True, slots=True)
class RegionRecord:
    ars: str
    name: str
    kind: str | None
    postal_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceQuery:
    """A directory search, hashable so loaders can batch and deduplicate it.

    `page` (from 0) and `size` map onto the upstream's paging (PVOG `page`/`size`).
    """

    ars: str
    text: str | None = None
    leika_keys: tuple[str, ...] = ()
    page: int = 0
    size: int = 500


@dataclass(frozen=True, slots=True)
class ServicePageRecord:
    """One page of a directory search and the upstream's count of all hits."""

    services: tuple[ServiceRecord, ...]
    total: int
    page: int
    size: int


class ServiceDirectory(Protocol):
    """A portal's service directory (PVOG Suchdienst style).

    Implementations raise `sources.errors.SourceError` subclasses only.
    """

    portal: PortalRecord

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]: ...

    async def service(self, service_id: str) -> ServiceRecord | None: ...

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]: ...

    async def regions(self, text: str) -> list[RegionRecord]: ...


@runtime_checkable
class PagedServiceDirectory(ServiceDirectory, Protocol):
    """A directory that pages on the upstream and knows the total number of hits."""

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord: ...
