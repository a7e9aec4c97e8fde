"""PVOG Suchdienst adapter: a portal's service directory over its REST/JSON API.

Endpoints follow reference/portalverbund.md §1.2; the payload is turned into
records by the pure `parse_*` functions below, which tests feed directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from sources._http import Upstream
from sources._parse import MalformedError, aware, items_of, obj, text
from sources._paths import PVOG_ID, segment
from sources.base import (
    AddressRecord,
    FeeRecord,
    LinkRecord,
    OnlineServiceRecord,
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServiceQuery,
    ServiceRecord,
    TrustLevel,
)
from sources.errors import SourceNotFoundError

SEARCH_PAGE_SIZE = 500
Parsed = TypeVar("Parsed")
TRUST_LEVELS = {
    "niedrig": TrustLevel.BASIC,
    "substanziell": TrustLevel.SUBSTANTIAL,
    "hoch": TrustLevel.HIGH,
}
AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})*|\d+),(\d{2})\s*(?:Euro|EUR|€)")

# XZuFi text module codes (leistungstextmodulleika) plus PVOG's own 9x codes.
TEASER, DESCRIPTION, LEGAL_BASIS, DOCUMENTS, PREREQUISITES = "24", "06", "07", "08", "09"
APPROVAL, PROCESSING_TIME, DEADLINES, FEES = "93", "95", "97", "98"


class PvogDirectory:
    def __init__(self, portal: PortalRecord, upstream: Upstream) -> None:
        self.portal = portal
        self.upstream = upstream

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        params: dict[str, str | int | list[str]] = {
            "ars": query.ars,
            "page": 0,
            "size": SEARCH_PAGE_SIZE,
            "useArsHierarchy": "true",
        }
        if query.text:
            params["q"] = query.text
        if query.leika_keys:
            params["leikaIds"] = ",".join(query.leika_keys)
        body = await self.upstream.get_json("/v8beta1/servicedescriptions", params)
        return self._parsed(parse_search, body)

    async def service(self, service_id: str) -> ServiceRecord | None:
        try:
            body = await self.upstream.get_json(
                f"/v6/servicedescriptions/{segment(self.upstream, service_id, PVOG_ID)}/detail"
            )
        except SourceNotFoundError:
            return None
        return self._parsed(parse_service, body)

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        if not ids:
            return {}
        body = await self.upstream.get_json("/v5/organisationunits/detail", {"q": list(ids)})
        records = self._parsed(parse_organisations, body)
        return {record.id: record for record in records}

    async def regions(self, text: str) -> list[RegionRecord]:
        body = await self.upstream.get_json("/v3/locations", {"q": text, "limit": 50})
        return self._parsed(lambda raw, _portal: parse_locations(raw), body)

    def _parsed(self, parse: Callable[[Any, str], Parsed], body: Any) -> Parsed:
        try:
            return parse(body, self.portal.id)
        except (MalformedError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self.upstream.bad_response(f"unexpected payload: {exc}") from exc


def parse_search(body: Any, portal_id: str) -> list[ServiceRecord]:
    content = obj(obj(body)["serviceDescriptions"])["content"]
    return [parse_service(item, portal_id) for item in items_of(content)]


def parse_service(raw: Any, portal_id: str) -> ServiceRecord:
    item = obj(raw)
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
        id=text(item["id"]),
        name=text(item["name"]),
        leika_keys=tuple(text(k) for k in items_of(item.get("leikakeys", []))),
        areas=tuple(text(a) for a in items_of(item.get("ars", []))),
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
        organisation_ids=tuple(text(o) for o in items_of(item.get("organisationIds", []))),
        approved_by=module_text(APPROVAL),
        approved_on=date.fromisoformat(approval["date"]) if approval.get("date") else None,
        last_update=aware(item.get("externalLastUpdate") or item.get("lastUpdate")),
    )


def parse_fee(raw: Any) -> FeeRecord:
    item = obj(raw)
    title = text(item.get("title", ""))
    note = item.get("text")
    description = f"{title} ({note})" if note else title
    match = AMOUNT.search(title)
    if match:
        cents = int(match.group(1).replace(".", "")) * 100 + int(match.group(2))
    elif "gebührenfrei" in title.lower():
        cents = 0
    else:
        cents = None
    return FeeRecord(description=description, amount_cents=cents)


def parse_link(raw: Any) -> LinkRecord:
    item = obj(raw)
    uri = text(item["uri"])
    return LinkRecord(title=text(item.get("title") or uri), uri=uri)


def parse_online_service(raw: Any) -> OnlineServiceRecord:
    item = obj(raw)
    level = (item.get("vertrauensniveau") or {}).get("code")
    return OnlineServiceRecord(
        title=text(item.get("title") or item["uri"]),
        uri=text(item["uri"]),
        trust_level=TRUST_LEVELS.get(str(level).lower()) if level else None,
    )


def parse_organisations(body: Any, portal_id: str) -> list[OrganisationRecord]:
    return [parse_organisation(item, portal_id) for item in items_of(body)]


def parse_organisation(raw: Any, portal_id: str) -> OrganisationRecord:
    item = obj(raw)
    channels: dict[str, str] = {}
    for system in items_of(item.get("communicationSystems", [])):
        entry = obj(system)
        channels.setdefault(text(entry["channel"]).upper(), text(entry["value"]))
    location = obj(item.get("location") or {})
    return OrganisationRecord(
        portal_id=portal_id,
        id=text(item["id"]),
        name=text(item["title"]),
        role=item.get("role") if isinstance(item.get("role"), str) else None,
        addresses=tuple(parse_address(a) for a in items_of(location.get("addresses", []))),
        phone=channels.get("TELEFON"),
        fax=channels.get("FAX"),
        email=channels.get("EMAIL"),
        website=channels.get("WEB"),
        opening_hours=item.get("openingHours"),
        last_update=aware(item.get("lastUpdate")),
    )


def parse_address(raw: Any) -> AddressRecord:
    item = obj(raw)
    return AddressRecord(
        street=item.get("street"),
        house_number=item.get("houseNumber"),
        postal_code=item.get("zipCode"),
        city=item.get("city"),
    )


def parse_locations(body: Any) -> list[RegionRecord]:
    return [
        RegionRecord(
            ars=text(item["ars"]),
            name=text(item["name"]),
            kind=item.get("type"),
            postal_codes=tuple(text(z) for z in items_of(item.get("zip", []))),
        )
        for item in map(obj, items_of(body))
    ]
