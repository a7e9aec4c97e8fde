"""Public data: service descriptions, authorities, regions, and the directory seam."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol

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
class ServiceHit:
    """One text of a search answer: what the merge across tiers reads at once (whose text,
    which service), the full description only from `record()`.

    A page of services reads more texts than it shows (merged away by a more local text,
    or past `first`), and a shown one is mostly asked for its name: parsing every text in
    full was most of a search's CPU (issue 21). Equal hits name the same text."""

    portal_id: str
    id: str
    name: str
    leika_keys: tuple[str, ...]
    organisation_ids: tuple[str, ...]
    # Builds the full record with this hit's fields (its keys may have been completed);
    # the adapter's own, so a malformed text fails as that upstream's bad response.
    full: Callable[[ServiceHit], ServiceRecord] = field(compare=False, repr=False)
    built: ServiceRecord | None = field(default=None, init=False, compare=False, repr=False)

    def record(self) -> ServiceRecord:
        """The full description, built on the first call: a cached page's hits serve many
        requests, and a copy with other keys (`replace`) builds its own."""
        built = self.built
        if built is None:
            built = self.full(self)
            object.__setattr__(self, "built", built)  # a memo: the same value on every call
        return built


def hit_of(record: ServiceRecord) -> ServiceHit:
    """A record already built, as a search hit (a cached page, a directory that cannot page)."""

    def built(hit: ServiceHit) -> ServiceRecord:
        if hit.leika_keys == record.leika_keys and hit.portal_id == record.portal_id:
            return record
        return replace(record, portal_id=hit.portal_id, leika_keys=hit.leika_keys)

    return ServiceHit(
        record.portal_id, record.id, record.name, record.leika_keys, record.organisation_ids, built
    )


def bare_record(hit: ServiceHit) -> ServiceRecord:
    """The hit's own fields and no texts, fees or links: what a description shows whose
    text could not be read (the upstream's error is reported on its own)."""
    return ServiceRecord(
        hit.portal_id, hit.id, hit.name, hit.leika_keys, (),
        None, None, None, None, None, (), None, None, (), (), hit.organisation_ids,
        None, None, None,
    )  # fmt: skip


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

    services: tuple[ServiceHit, ...]
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


class PagedServiceDirectory(ServiceDirectory, Protocol):
    """A directory that pages on the upstream and knows the total number of hits."""

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord: ...
