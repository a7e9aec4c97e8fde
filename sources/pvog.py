"""PVOG Suchdienst adapter: a portal's service directory over its REST/JSON API.

Endpoints follow reference/portalverbund.md §1.2; the payloads are turned into records by
the pure `parse_*` functions below (tests/samples/pvog/ holds real-shaped payloads for them).
The organisation-unit detail takes one `q` and answers one object, so organisations are
fetched one call per id, a few at a time. Search hits may lack their LeiKa keys (only the
detail view carries them reliably): such hits are completed from the detail, so the same
service never appears twice merely because one copy had no key.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from sources._http import Upstream
from sources._known_keys import KnownKeys
from sources._parse import MalformedError, aware, items_of, obj, optional_str, text
from sources._paths import PVOG_ID, segment
from sources.base import (
    AddressRecord,
    FeeRecord,
    LinkRecord,
    OnlineServiceRecord,
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
)
from sources.errors import SourceNotFoundError

logger = logging.getLogger("portalgraph.pvog")
MAX_PAGES = 20  # a search never pages further than this many upstream pages
MAX_CONCURRENT_DETAILS = 8  # detail calls (organisations, keyless hits) in flight per search
CLIENT_ID_HEADER = "pvog-sud-api-client-id"
Parsed = TypeVar("Parsed")
AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})*|\d+),(\d{2})\s*(?:Euro|EUR|€)")

# XZuFi text module codes (leistungstextmodulleika) plus PVOG's own 9x codes.
TEASER, DESCRIPTION, LEGAL_BASIS, DOCUMENTS, PREREQUISITES = "24", "06", "07", "08", "09"
APPROVAL, PROCESSING_TIME, DEADLINES, FEES = "93", "95", "97", "98"
OPENING_HOURS = "INFO_TIMES"  # additionalInformation[].type of an organisation unit
PHONE_CODE = "02"  # communications[].code a live PVOG client reads as the phone number


Origin = Callable[[tuple[str, ...]], str | None]


class PvogDirectory:
    def __init__(
        self,
        portal: PortalRecord,
        upstream: Upstream,
        *,
        client_id: str | None = None,
        origin: Origin | None = None,
        use_ars_hierarchy: bool = True,
    ) -> None:
        """`origin`: the portal id of a description from its own ARS list (network file v2:
        an NRW text found in a Köln search is NRW's); None: every record is `portal`'s.
        `use_ars_hierarchy`: the PVOG inherits Bund and Land texts down the ARS, so one
        search answers for every tier."""
        self.portal = portal
        self.upstream = upstream
        self.headers = {CLIENT_ID_HEADER: client_id} if client_id else {}
        self.limit = asyncio.Semaphore(MAX_CONCURRENT_DETAILS)
        self.origin = origin
        self.hierarchy = "true" if use_ars_hierarchy else "false"
        self.known_keys = KnownKeys()  # a keyless hit seen twice costs one detail call

    async def _get(self, path: str, params: dict[str, str | int | list[str]] | None = None) -> Any:
        return await self.upstream.send_json("GET", path, params=params, headers=self.headers)

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord:
        params: dict[str, str | int | list[str]] = {
            "ars": query.ars,
            "page": query.page,
            "size": query.size,
            "useArsHierarchy": self.hierarchy,
        }
        if query.text:
            params["q"] = query.text
        if query.leika_keys:
            params["leikaIds"] = ",".join(query.leika_keys)
        body = await self._get("/v8beta1/servicedescriptions", params)
        services, total = self._parsed(parse_search_page, body)
        services = [self._of_origin(record) for record in services]
        if total is None:  # no count in the answer: a full page means more may follow
            total = query.page * query.size + len(services) + int(len(services) >= query.size)
        completed = await self._with_leika_keys(services, query.leika_keys)
        return ServicePageRecord(tuple(completed), total, query.page, query.size)

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        """Every hit, page by page (at most MAX_PAGES pages of `query.size`)."""
        first = await self.search_page(query)
        found, total, page = list(first.services), first.total, query.page
        while len(found) < total and page - query.page < MAX_PAGES - 1:
            page += 1
            more = await self.search_page(replace(query, page=page))
            if not more.services:
                break
            found.extend(more.services)
            total = more.total
        if len(found) < total:
            logger.warning(
                "search at %s stopped after %d of %d hits", self.portal.id, len(found), total
            )
        return found

    async def _with_leika_keys(
        self, services: list[ServiceRecord], asked: tuple[str, ...]
    ) -> list[ServiceRecord]:
        async def complete(record: ServiceRecord) -> ServiceRecord:
            if record.leika_keys:
                return self.known_keys.learn(record)
            if len(asked) == 1:  # the hit matched the only key the search filtered on
                return replace(record, leika_keys=asked)
            if known := self.known_keys.completed(record):
                return known
            async with self.limit:
                detail = await self.service(record.id)
            if detail is None:
                return record
            return self.known_keys.learn(replace(record, leika_keys=detail.leika_keys))

        return list(await asyncio.gather(*map(complete, services)))

    async def service(self, service_id: str) -> ServiceRecord | None:
        try:
            body = await self._get(
                f"/v6/servicedescriptions/{segment(self.upstream, service_id, PVOG_ID)}/detail"
            )
        except SourceNotFoundError:
            return None
        return self._of_origin(self._parsed(parse_service, body))

    def _of_origin(self, record: ServiceRecord) -> ServiceRecord:
        """The record as its own ARS's portal's text (tier and origin follow the text)."""
        found = self.origin(record.areas) if self.origin else None
        return replace(record, portal_id=found) if found else record

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        async def one(organisation_id: str) -> OrganisationRecord | None:
            async with self.limit:
                try:
                    body = await self._get("/v5/organisationunits/detail", {"q": organisation_id})
                except SourceNotFoundError:
                    return None
            return self._parsed(parse_organisation, body)

        found = await asyncio.gather(*map(one, dict.fromkeys(ids)))
        return {record.id: record for record in found if record is not None}

    async def regions(self, text: str) -> list[RegionRecord]:
        body = await self._get("/v3/locations", {"q": text, "limit": 50})
        return self._parsed(lambda raw, _portal: parse_locations(raw), body)

    def _parsed(self, parse: Callable[[Any, str], Parsed], body: Any) -> Parsed:
        try:
            return parse(body, self.portal.id)
        except (MalformedError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self.upstream.bad_response(f"unexpected payload: {exc}") from exc


def parse_search_page(body: Any, portal_id: str) -> tuple[list[ServiceRecord], int | None]:
    """The hits of one search page and the upstream's total (`totalElements`, the Spring
    page envelope [I: no published sample shows it]; None when the answer has none)."""
    page = obj(obj(body)["serviceDescriptions"])
    services = [parse_service(item, portal_id) for item in items_of(page["content"])]
    total = page.get("totalElements")
    if total is None:
        return services, None
    if not isinstance(total, int) or isinstance(total, bool) or total < len(services):
        raise MalformedError("totalElements must be a count of at least the hits on the page")
    return services, total


def parse_search(body: Any, portal_id: str) -> list[ServiceRecord]:
    return parse_search_page(body, portal_id)[0]


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
        leika_keys=tuple(text(k) for k in items_of(item.get("leikakeys") or [])),
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
