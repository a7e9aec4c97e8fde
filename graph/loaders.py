"""Per-request DataLoaders: group keys by portal and ask each upstream once per batch.

A failing portal rejects only its own keys: its error is recorded in the
request's `OutageLog` and its keys resolve to empty values, so the other
portals' data still reaches the client (partial results).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from aiodataloader import DataLoader

from sources.base import (
    AccountArea,
    AccountRecord,
    Capability,
    OrganisationRecord,
    RegionRecord,
    ServiceDirectory,
    ServiceQuery,
    ServiceRecord,
    ViewerRecord,
)
from sources.errors import SourceError

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
PortalKey = tuple[str, Key]


@dataclass(frozen=True, slots=True)
class OutageEntry:
    portal_id: str
    capability: Capability
    code: str


@dataclass(slots=True)
class OutageLog:
    """Upstream failures seen while answering one request, once per portal and capability."""

    entries: list[OutageEntry] = field(default_factory=list)

    def record(self, error: SourceError) -> None:
        entry = OutageEntry(error.portal_id, Capability(error.capability), error.code)
        if all(
            (e.portal_id, e.capability) != (entry.portal_id, entry.capability) for e in self.entries
        ):
            self.entries.append(entry)


async def _per_portal(
    keys: Sequence[tuple[str, Key]],
    fetch: Callable[[str, list[Key]], Awaitable[Mapping[Key, Value]]],
    missing: Value,
) -> list[Value | BaseException]:
    """Run `fetch` once per portal, concurrently; fan the answers back out in key order."""
    by_portal: dict[str, list[Key]] = defaultdict(list)
    for portal_id, key in keys:
        if key not in by_portal[portal_id]:
            by_portal[portal_id].append(key)
    portal_ids = list(by_portal)
    answers = await asyncio.gather(
        *(fetch(p, by_portal[p]) for p in portal_ids), return_exceptions=True
    )
    results = dict(zip(portal_ids, answers, strict=True))
    out: list[Value | BaseException] = []
    for portal_id, key in keys:
        answer = results[portal_id]
        out.append(answer if isinstance(answer, BaseException) else answer.get(key, missing))
    return out


def _loader(
    batch: Callable[[list[Key]], Awaitable[Sequence[Value | BaseException]]],
) -> DataLoader[Key, Value]:
    # aiodataloader rejects the keys whose slot holds an exception; its annotations
    # do not model that, hence the cast.
    return DataLoader(cast(Any, batch))


class Loaders:
    """The loaders of one request; build a fresh instance per request (and per event)."""

    def __init__(
        self,
        outages: OutageLog,
        *,
        directories: Mapping[str, ServiceDirectory],
        account_areas: Mapping[str, AccountArea],
    ) -> None:
        self._directories = directories
        self._account_areas = account_areas
        self._outages = outages
        self._accounts: DataLoader[PortalKey[str], AccountRecord | None] = _loader(
            self._load_accounts
        )
        self._search: DataLoader[PortalKey[ServiceQuery], list[ServiceRecord]] = _loader(
            self._load_searches
        )
        self._service: DataLoader[PortalKey[str], ServiceRecord | None] = _loader(
            self._load_services
        )
        self._organisation: DataLoader[PortalKey[str], OrganisationRecord | None] = _loader(
            self._load_organisations
        )
        self._regions: DataLoader[PortalKey[str], list[RegionRecord]] = _loader(self._load_regions)

    async def search(self, portal_ids: Sequence[str], query: ServiceQuery) -> list[ServiceRecord]:
        found = await self._all(self._search, [(p, query) for p in portal_ids], [])
        return [record for records in found for record in records]

    async def service(self, portal_id: str, service_id: str) -> ServiceRecord | None:
        return (await self._all(self._service, [(portal_id, service_id)], None))[0]

    async def organisation(self, portal_id: str, organisation_id: str) -> OrganisationRecord | None:
        return (await self._all(self._organisation, [(portal_id, organisation_id)], None))[0]

    async def regions(self, portal_ids: Sequence[str], text: str) -> list[RegionRecord]:
        found = await self._all(self._regions, [(p, text) for p in portal_ids], [])
        return [region for regions in found for region in regions]

    async def accounts(self, viewer: ViewerRecord) -> list[AccountRecord]:
        keys = [(portal_id, viewer.token) for portal_id in self._account_areas]
        return [a for a in await self._all(self._accounts, keys, None) if a is not None]

    async def _all(
        self, loader: DataLoader[PortalKey[Key], Value], keys: list[PortalKey[Key]], empty: Value
    ) -> list[Value]:
        answers = await asyncio.gather(*(loader.load(k) for k in keys), return_exceptions=True)
        values: list[Value] = []
        for answer in answers:
            if isinstance(answer, SourceError):
                self._outages.record(answer)
                values.append(empty)
            elif isinstance(answer, BaseException):
                raise answer
            else:
                values.append(answer)
        return values

    async def _load_searches(
        self, keys: list[PortalKey[ServiceQuery]]
    ) -> list[list[ServiceRecord] | BaseException]:
        async def fetch(
            portal_id: str, queries: list[ServiceQuery]
        ) -> dict[ServiceQuery, list[ServiceRecord]]:
            directory = self._directories[portal_id]
            found = await asyncio.gather(*(directory.search(q) for q in queries))
            return dict(zip(queries, found, strict=True))

        return await _per_portal(keys, fetch, [])

    async def _load_services(
        self, keys: list[PortalKey[str]]
    ) -> list[ServiceRecord | BaseException | None]:
        async def fetch(portal_id: str, ids: list[str]) -> dict[str, ServiceRecord | None]:
            directory = self._directories[portal_id]
            found = await asyncio.gather(*(directory.service(i) for i in ids))
            return dict(zip(ids, found, strict=True))

        return await _per_portal(keys, fetch, None)

    async def _load_organisations(
        self, keys: list[PortalKey[str]]
    ) -> list[OrganisationRecord | BaseException | None]:
        async def fetch(portal_id: str, ids: list[str]) -> Mapping[str, OrganisationRecord | None]:
            return await self._directories[portal_id].organisations(ids)

        return await _per_portal(keys, fetch, None)

    async def _load_regions(
        self, keys: list[PortalKey[str]]
    ) -> list[list[RegionRecord] | BaseException]:
        async def fetch(portal_id: str, texts: list[str]) -> dict[str, list[RegionRecord]]:
            directory = self._directories[portal_id]
            found = await asyncio.gather(*(directory.regions(t) for t in texts))
            return dict(zip(texts, found, strict=True))

        return await _per_portal(keys, fetch, [])

    async def _load_accounts(
        self, keys: list[PortalKey[str]]
    ) -> list[AccountRecord | BaseException | None]:
        async def fetch(portal_id: str, tokens: list[str]) -> dict[str, AccountRecord | None]:
            area = self._account_areas[portal_id]
            found = await asyncio.gather(*(area.account(t) for t in tokens))
            return dict(zip(tokens, found, strict=True))

        return await _per_portal(keys, fetch, None)
