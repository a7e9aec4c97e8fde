"""PVOG Suchdienst adapter: a portal's service directory over its REST/JSON API.

Endpoints follow reference/portalverbund.md §1.2; the payloads are turned into records by
the pure `parse_*` functions of sources/_pvog_payloads.py; a search answer is read from its
bytes by sources/_pvog_search.py (typed, each text decoded only when its record is asked for).
The organisation-unit detail takes one `q` and answers one object, so organisations are
fetched one call per id, a few at a time. Search hits may lack their LeiKa keys (only the
detail view carries them reliably): such hits are completed from the detail, so the same
service never appears twice merely because one copy had no key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from sources._http import Upstream
from sources._known_keys import KnownKeys
from sources._parse import MalformedError
from sources._paths import PVOG_ID, segment
from sources._pvog_payloads import (
    Origin,
    parse_locations,
    parse_organisation,
    parse_service,
    record_of,
)
from sources._pvog_search import NotJsonError, decode_search_page, text_of
from sources.base import (
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServiceHit,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
)
from sources.errors import SourceNotFoundError

logger = logging.getLogger("portalgraph.pvog")
MAX_PAGES = 20  # a search never pages further than this many upstream pages
MAX_CONCURRENT_DETAILS = 8  # detail calls (organisations, keyless hits) in flight per search
# ARS lists whose portal is remembered: an answer's texts share a few lists (the Bund's, a
# Land's, a municipality's), so a search decides each list once; bounded against odd answers.
KNOWN_ORIGINS = 4096
CLIENT_ID_HEADER = "pvog-sud-api-client-id"
Parsed = TypeVar("Parsed")


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
        self._origins: dict[tuple[str, ...], str | None] = {}

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
        # The bytes, not decoded JSON: the typed decoding reads only what the hits need.
        answer = await self.upstream.exchange(
            "GET", "/v8beta1/servicedescriptions", params=params, headers=self.headers
        )
        try:
            services, total = self._parsed(
                lambda raw, portal_id: decode_search_page(raw, portal_id, self._origin, self._full),
                answer.content,
            )
        except NotJsonError as exc:  # worded as every other adapter's call (send_json)
            raise self.upstream.bad_response("body is not JSON") from exc
        if total is None:  # no count in the answer: a full page means more may follow
            total = query.page * query.size + len(services) + int(len(services) >= query.size)
        completed = await self._with_leika_keys(services, query.leika_keys)
        return ServicePageRecord(tuple(completed), total, query.page, query.size)

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        """Every hit, page by page (at most MAX_PAGES pages of `query.size`), in full."""
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
        return [hit.record() for hit in found]

    async def _with_leika_keys(
        self, services: list[ServiceHit], asked: tuple[str, ...]
    ) -> list[ServiceHit]:
        completed = [self._known(record, asked) for record in services]
        missing = [i for i, record in enumerate(completed) if record is None]
        if not missing:  # the usual case: no task per hit, no detail call
            return cast(list[ServiceHit], completed)

        async def complete(record: ServiceHit) -> ServiceHit:
            async with self.limit:
                detail = await self.service(record.id)
            if detail is None:
                return record
            return self.known_keys.learn(replace(record, leika_keys=detail.leika_keys))

        details = await asyncio.gather(*(complete(services[i]) for i in missing))
        for i, record in zip(missing, details, strict=True):
            completed[i] = record
        return cast(list[ServiceHit], completed)

    def _known(self, record: ServiceHit, asked: tuple[str, ...]) -> ServiceHit | None:
        """The hit with its LeiKa keys when they are at hand; None: a detail call tells."""
        if record.leika_keys:
            return self.known_keys.learn(record)
        if len(asked) == 1:  # the hit matched the only key the search filtered on
            return replace(record, leika_keys=asked)
        return self.known_keys.completed(record)

    async def service(self, service_id: str) -> ServiceRecord | None:
        try:
            body = await self._get(
                f"/v6/servicedescriptions/{segment(self.upstream, service_id, PVOG_ID)}/detail"
            )
        except SourceNotFoundError:
            return None
        return self._parsed(
            lambda raw, portal_id: parse_service(raw, portal_id, self._origin), body
        )

    def _full(self, raw: Any, hit: ServiceHit) -> ServiceRecord:
        """A hit's full record, when asked for: a malformed text fails as this upstream's
        bad response, as it did when every hit was parsed in full at once."""
        return self._parsed(lambda body, _portal: record_of(text_of(body), hit), raw)

    def _origin(self, areas: tuple[str, ...]) -> str | None:
        """The portal whose text a description with these ARS is (tier and origin follow
        the text); None: `portal`'s. Remembered per ARS list: the network does not change."""
        if self.origin is None:
            return None
        try:
            return self._origins[areas]
        except KeyError:
            pass
        if len(self._origins) >= KNOWN_ORIGINS:
            self._origins.clear()
        found = self._origins[areas] = self.origin(areas)
        return found

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
