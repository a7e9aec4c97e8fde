"""Public directory records to and from JSON-ready dicts, for a shared cache.

Written out field by field rather than pickled: a cache entry is data another
replica (or a later version) reads, never code it runs. Decoders raise KeyError,
TypeError or ValueError on entries they do not understand; callers treat that as a miss.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sources.base import (
    AddressRecord,
    FeeRecord,
    LinkRecord,
    OnlineServiceRecord,
    OrganisationRecord,
    RegionRecord,
    ServicePageRecord,
    ServiceRecord,
    TrustLevel,
    hit_of,
)

Json = Any


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def service_to_dict(record: ServiceRecord) -> dict[str, Json]:
    return {
        "portal_id": record.portal_id,
        "id": record.id,
        "name": record.name,
        "leika_keys": list(record.leika_keys),
        "areas": list(record.areas),
        "teaser": record.teaser,
        "description": record.description,
        "required_documents": record.required_documents,
        "prerequisites": record.prerequisites,
        "fees_text": record.fees_text,
        "fees": [[f.description, f.amount_cents, f.currency] for f in record.fees],
        "deadlines": record.deadlines,
        "processing_time": record.processing_time,
        "legal_basis": [[link.title, link.uri] for link in record.legal_basis],
        "online_services": [
            [o.title, o.uri, None if o.trust_level is None else o.trust_level.value]
            for o in record.online_services
        ],
        "organisation_ids": list(record.organisation_ids),
        "approved_by": record.approved_by,
        "approved_on": _day(record.approved_on),
        "last_update": _moment(record.last_update),
    }


def service_from_dict(raw: dict[str, Json]) -> ServiceRecord:
    approved_on, last_update = raw["approved_on"], raw["last_update"]
    return ServiceRecord(
        portal_id=str(raw["portal_id"]),
        id=str(raw["id"]),
        name=str(raw["name"]),
        leika_keys=tuple(map(str, raw["leika_keys"])),
        areas=tuple(map(str, raw["areas"])),
        teaser=raw["teaser"],
        description=raw["description"],
        required_documents=raw["required_documents"],
        prerequisites=raw["prerequisites"],
        fees_text=raw["fees_text"],
        fees=tuple(FeeRecord(d, cents, currency) for d, cents, currency in raw["fees"]),
        deadlines=raw["deadlines"],
        processing_time=raw["processing_time"],
        legal_basis=tuple(LinkRecord(title, uri) for title, uri in raw["legal_basis"]),
        online_services=tuple(
            OnlineServiceRecord(title, uri, None if level is None else TrustLevel(level))
            for title, uri, level in raw["online_services"]
        ),
        organisation_ids=tuple(map(str, raw["organisation_ids"])),
        approved_by=raw["approved_by"],
        approved_on=None if approved_on is None else date.fromisoformat(approved_on),
        last_update=None if last_update is None else datetime.fromisoformat(last_update),
    )


def organisation_to_dict(record: OrganisationRecord) -> dict[str, Json]:
    return {
        "portal_id": record.portal_id,
        "id": record.id,
        "name": record.name,
        "role": record.role,
        "addresses": [[a.street, a.house_number, a.postal_code, a.city] for a in record.addresses],
        "phone": record.phone,
        "fax": record.fax,
        "email": record.email,
        "website": record.website,
        "opening_hours": record.opening_hours,
        "last_update": _moment(record.last_update),
    }


def organisation_from_dict(raw: dict[str, Json]) -> OrganisationRecord:
    last_update = raw["last_update"]
    return OrganisationRecord(
        portal_id=str(raw["portal_id"]),
        id=str(raw["id"]),
        name=str(raw["name"]),
        role=raw["role"],
        addresses=tuple(AddressRecord(*address) for address in raw["addresses"]),
        phone=raw["phone"],
        fax=raw["fax"],
        email=raw["email"],
        website=raw["website"],
        opening_hours=raw["opening_hours"],
        last_update=None if last_update is None else datetime.fromisoformat(last_update),
    )


def region_to_dict(record: RegionRecord) -> dict[str, Json]:
    return {
        "ars": record.ars,
        "name": record.name,
        "kind": record.kind,
        "postal_codes": list(record.postal_codes),
    }


def region_from_dict(raw: dict[str, Json]) -> RegionRecord:
    return RegionRecord(
        ars=str(raw["ars"]),
        name=str(raw["name"]),
        kind=raw["kind"],
        postal_codes=tuple(map(str, raw["postal_codes"])),
    )


def page_to_dict(record: ServicePageRecord) -> dict[str, Json]:
    return {
        "services": [service_to_dict(hit.record()) for hit in record.services],
        "total": record.total,
        "page": record.page,
        "size": record.size,
    }


def page_from_dict(raw: dict[str, Json]) -> ServicePageRecord:
    return ServicePageRecord(
        services=tuple(hit_of(service_from_dict(s)) for s in raw["services"]),
        total=int(raw["total"]),
        page=int(raw["page"]),
        size=int(raw["size"]),
    )


Encoder = Callable[[Any], Json]
Decoder = Callable[[Json], Any]

# What each kind of cache entry holds, by the kind named in its key ("search", ...).
CODECS: dict[str, tuple[Encoder, Decoder]] = {
    "search": (
        lambda records: [service_to_dict(r) for r in records],
        lambda raw: [service_from_dict(r) for r in raw],
    ),
    "page": (page_to_dict, page_from_dict),
    "service": (service_to_dict, service_from_dict),
    "organisation": (organisation_to_dict, organisation_from_dict),
    "regions": (
        lambda records: [region_to_dict(r) for r in records],
        lambda raw: [region_from_dict(r) for r in raw],
    ),
}
