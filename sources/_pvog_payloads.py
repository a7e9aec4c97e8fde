"""PVOG payloads into records: pure functions over the Suchdienst's JSON (no I/O).

Shapes follow reference/portalverbund.md §1.2; tests/samples/pvog/ holds real-shaped
payloads for each function. Texts are XZuFi text modules keyed by their codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache, partial
from typing import Any

from sources._parse import MalformedError, aware, items_of, obj, optional_str, strings, text
from sources.base import (
    AddressRecord,
    FeeRecord,
    LinkRecord,
    OnlineServiceRecord,
    OrganisationRecord,
    RegionRecord,
    ServiceHit,
    ServiceRecord,
)

AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})*|\d+),(\d{2})\s*(?:Euro|EUR|€)")

# XZuFi text module codes (leistungstextmodulleika) plus PVOG's own 9x codes.
TEASER, DESCRIPTION, LEGAL_BASIS, DOCUMENTS, PREREQUISITES = "24", "06", "07", "08", "09"
APPROVAL, PROCESSING_TIME, DEADLINES, FEES = "93", "95", "97", "98"
OPENING_HOURS = "INFO_TIMES"  # additionalInformation[].type of an organisation unit
PHONE_CODE = "02"  # communications[].code a live PVOG client reads as the phone number

# The portal id a description is a text of, from its ARS list (None: the caller's portal).
Origin = Callable[[tuple[str, ...]], str | None]
# A hit's full record from its raw text (`record_of`, or the adapter's wrapper of it).
Full = Callable[[Any, ServiceHit], ServiceRecord]


def parse_search_page(
    body: Any, portal_id: str, origin: Origin | None = None, full: Full | None = None
) -> tuple[list[ServiceHit], int | None]:
    """The hits of one search page and the upstream's total (`totalElements`, the Spring
    page envelope [I: no published sample shows it]; None when the answer has none).
    `full` builds a hit's record from its text (default `record_of`)."""
    page = obj(obj(body)["serviceDescriptions"])
    build = full or record_of
    hits = [parse_hit(item, portal_id, origin, build) for item in items_of(page["content"])]
    total = page.get("totalElements")
    if total is None:
        return hits, None
    if not isinstance(total, int) or isinstance(total, bool) or total < len(hits):
        raise MalformedError("totalElements must be a count of at least the hits on the page")
    return hits, total


def parse_search(body: Any, portal_id: str) -> list[ServiceRecord]:
    return [hit.record() for hit in parse_search_page(body, portal_id)[0]]


def parse_hit(raw: Any, portal_id: str, origin: Origin | None, full: Full) -> ServiceHit:
    """What the merge reads of one description (its portal from its ARS list, its id, name
    and keys); the texts, fees and links stay in `raw` until `hit.record()` asks `full`."""
    item = obj(raw)
    return ServiceHit(
        portal_id=(origin(strings(item.get("ars", []))) if origin else None) or portal_id,
        id=text(item["id"]),
        name=text(item["name"]),
        leika_keys=strings(item.get("leikakeys") or []),
        organisation_ids=strings(item.get("organisationIds", [])),
        full=partial(full, item),
    )


def record_of(raw: Any, hit: ServiceHit) -> ServiceRecord:
    """The full description of a hit: the hit's portal, id, name and keys, the rest parsed."""
    item = obj(raw)
    areas = strings(item.get("ars", []))
    return _record(item, hit.portal_id, hit.id, hit.name, hit.leika_keys, areas)


def parse_service(raw: Any, portal_id: str, origin: Origin | None = None) -> ServiceRecord:
    """One description; `origin` names the portal whose text it is from its ARS list, so
    the record is built once with its portal (not built and then copied)."""
    item = obj(raw)
    areas = strings(item.get("ars", []))
    portal = (origin(areas) if origin else None) or portal_id
    keys = strings(item.get("leikakeys") or [])
    return _record(item, portal, text(item["id"]), text(item["name"]), keys, areas)


def _record(
    item: dict[str, Any],
    portal_id: str,
    service_id: str,
    name: str,
    leika_keys: tuple[str, ...],
    areas: tuple[str, ...],
) -> ServiceRecord:
    details = {
        str(d.get("code")): d for d in items_of(item.get("details", [])) if isinstance(d, dict)
    }

    def module_text(code: str) -> str | None:
        module = details.get(code)
        if not module or module.get("placeholder") or not module.get("text"):
            return None
        return str(module["text"])

    fees = details.get(FEES, {})
    approval = details.get(APPROVAL, {})
    return ServiceRecord(
        portal_id=portal_id,
        id=service_id,
        name=name,
        leika_keys=leika_keys,
        areas=areas,
        teaser=module_text(TEASER),
        description=module_text(DESCRIPTION),
        required_documents=module_text(DOCUMENTS),
        prerequisites=module_text(PREREQUISITES),
        fees_text=module_text(FEES),
        fees=tuple(parse_fee(d) for d in items_of(fees.get("details", []))),
        deadlines=module_text(DEADLINES),
        processing_time=module_text(PROCESSING_TIME),
        legal_basis=tuple(
            parse_link(link) for link in items_of(details.get(LEGAL_BASIS, {}).get("links", []))
        ),
        online_services=tuple(
            parse_online_service(o) for o in items_of(item.get("onlineServiceLinks", []))
        ),
        organisation_ids=strings(item.get("organisationIds", [])),
        approved_by=module_text(APPROVAL),
        approved_on=date.fromisoformat(approval["date"]) if approval.get("date") else None,
        last_update=aware(item.get("externalLastUpdate") or item.get("lastUpdate")),
    )


def parse_fee(raw: Any) -> FeeRecord:
    item = obj(raw)
    title = text(item.get("title", ""))
    note = item.get("text")
    description = f"{title} ({note})" if note else title
    return FeeRecord(description=description, amount_cents=fee_cents(title))


@lru_cache(maxsize=4096)
def fee_cents(title: str) -> int | None:
    """The amount a fee title names, in cents; 0 when free, None when it names none.
    Remembered per title: most texts share a few titles, and the search is the cost."""
    match = AMOUNT.search(title)
    if match:
        return int(match.group(1).replace(".", "")) * 100 + int(match.group(2))
    if "gebührenfrei" in title.lower():
        return 0
    return None


def parse_link(raw: Any) -> LinkRecord:
    item = obj(raw)
    uri = text(item["uri"])
    return LinkRecord(title=text(item.get("title") or uri), uri=uri)


def parse_online_service(raw: Any) -> OnlineServiceRecord:
    # PVOG's onlineServiceLinks carry title and uri only; no trust level is published there.
    item = obj(raw)
    return OnlineServiceRecord(title=text(item.get("title") or item["uri"]), uri=text(item["uri"]))


def parse_organisation(raw: Any, portal_id: str) -> OrganisationRecord:
    """An organisation unit from `/v5/organisationunits/detail` (one object per `q`)."""
    item = obj(raw)
    location = obj(item.get("location") or {})
    addresses = [obj(a) for a in items_of(location.get("addresses") or [])]
    # The street address (Hausanschrift) first; a postal address (Postanschrift) after it.
    addresses.sort(key=lambda a: a.get("type") != "Hausanschrift")
    contact = parse_communications(location.get("communications") or [])
    websites = [text(w["uri"]) for w in map(obj, items_of(item.get("internetAddresses") or []))]
    hours = [
        text(i["text"])
        for i in map(obj, items_of(item.get("additionalInformation") or []))
        if i.get("type") == OPENING_HOURS and i.get("text")
    ]
    role = item.get("role")
    return OrganisationRecord(
        portal_id=portal_id,
        id=text(item["id"]),
        name=text(item["title"]),
        role=optional_str(obj(role).get("name")) if isinstance(role, dict) else optional_str(role),
        addresses=tuple(parse_address(a) for a in addresses),
        phone=contact.get("phone"),
        fax=contact.get("fax"),
        email=contact.get("email"),
        website=websites[0] if websites else contact.get("web"),
        opening_hours="\n".join(hours) or None,
        last_update=aware(item.get("lastUpdate")),
    )


def parse_communications(raw: Any) -> dict[str, str]:
    """Phone, fax, e-mail and web address from `location.communications[]` ({name, value})."""
    found: dict[str, str] = {}
    for entry in map(obj, items_of(raw)):
        value = optional_str(entry.get("value"))
        name = str(entry.get("name") or "").casefold()
        if not value:
            continue
        if entry.get("code") == PHONE_CODE or name.startswith("telefon"):
            kind = "phone"
        elif "fax" in name:
            kind = "fax"
        elif "mail" in name and "de-mail" not in name:
            kind = "email"
        elif name in ("internet", "web", "webseite", "homepage"):
            kind = "web"
        else:
            continue
        found.setdefault(kind, value)
    return found


def parse_address(raw: Any) -> AddressRecord:
    item = obj(raw)
    return AddressRecord(
        street=optional_str(item.get("street")),
        house_number=optional_str(item.get("houseNumber")),
        postal_code=optional_str(item.get("zip")),
        city=optional_str(item.get("city")),
    )


def parse_locations(body: Any) -> list[RegionRecord]:
    """Places; `zip` is one postal code (`/v2/locations`) or a list of them."""
    return [
        RegionRecord(
            ars=text(item["ars"]),
            name=text(item["name"]),
            kind=optional_str(item.get("type")),
            postal_codes=_postal_codes(item.get("zip")),
        )
        for item in map(obj, items_of(body))
    ]


def _postal_codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (text(value),) if isinstance(value, str) else tuple(text(z) for z in items_of(value))
