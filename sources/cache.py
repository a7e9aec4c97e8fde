"""A cache for public directory data (service descriptions, organisations, regions).

`CachedServiceDirectory` wraps any `ServiceDirectory`: fresh entries answer without
an upstream call; concurrent identical misses share one upstream call (single
flight); when the upstream fails, an entry past its TTL but within `max_stale` is
served instead of an error (RFC 5861 stale-if-error). Serving stale data is not an
outage: the client gets the data without an error, operators see it in the log and
in `stale_served`. Personal data never comes here: only the directory is wrapped.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sources._cache_store import CacheEntry, CacheStore
from sources.base import (
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServiceDirectory,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
    page_of,
)
from sources.errors import SourceError

logger = logging.getLogger("portalgraph.cache")
Value = TypeVar("Value")
KEY_VERSION = "pg2"  # bump when a record's shape changes, so old entries are ignored


@dataclass(frozen=True, slots=True)
class CacheTtls:
    """Seconds an entry is fresh, per kind; `max_stale` more it may stand in for a failed call."""

    services: float = 300.0
    organisations: float = 3600.0
    regions: float = 86400.0
    max_stale: float = 86400.0


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


class CachedServiceDirectory:
    def __init__(
        self,
        directory: ServiceDirectory,
        cache: CacheStore,
        ttls: CacheTtls,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.portal: PortalRecord = directory.portal
        self.cache = cache
        self.ttls = ttls
        self.clock = clock
        self.stale_served = 0
        self.hits = 0  # lookups answered fresh from the cache, read by the metrics
        self.misses = 0
        self._flights: dict[str, asyncio.Task[Any]] = {}

    def counters(self) -> dict[str, int]:
        """What the metrics read: fresh hits, misses (upstream or shared call), stale answers."""
        return {"hits": self.hits, "misses": self.misses, "stale_served": self.stale_served}

    def _key(self, kind: str, *parts: object) -> str:
        return f"{KEY_VERSION}:{kind}:{self.portal.id}:{_digest(*parts)}"

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        key = self._key("search", query.ars, query.text, query.leika_keys, query.page, query.size)
        return await self._cached(key, self.ttls.services, lambda: self.directory.search(query))

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord:
        """One page of a search, keyed by page and size (`page_of`: upstream paging where
        the directory pages, else cut from its whole answer)."""
        key = self._key("page", query.ars, query.text, query.leika_keys, query.page, query.size)
        return await self._cached(key, self.ttls.services, lambda: page_of(self.directory, query))

    async def service(self, service_id: str) -> ServiceRecord | None:
        key = self._key("service", service_id)
        return await self._cached(
            key, self.ttls.services, lambda: self.directory.service(service_id)
        )

    async def regions(self, text: str) -> list[RegionRecord]:
        key = self._key("regions", text)
        return await self._cached(key, self.ttls.regions, lambda: self.directory.regions(text))

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        keys = {i: self._key("organisation", i) for i in dict.fromkeys(ids)}
        entries = dict(
            zip(keys, await asyncio.gather(*map(self.cache.get, keys.values())), strict=True)
        )
        now = self.clock()
        found = {
            i: cast(OrganisationRecord, e.value)
            for i, e in entries.items()
            if e is not None and e.fresh_until > now
        }
        missing = sorted(set(keys) - set(found))
        self.hits += len(found)
        self.misses += len(missing)
        if not missing:
            return found
        flight = self._key("organisations", *missing)
        try:
            fetched = await self._single_flight(flight, lambda: self._fetch_organisations(missing))
        except SourceError as error:
            stale = {i: entries[i] for i in missing}
            if not all(e is not None and e.stale_until > now for e in stale.values()):
                raise
            self._served_stale(error)
            return found | {i: cast(OrganisationRecord, e.value) for i, e in stale.items() if e}
        return found | fetched

    async def _fetch_organisations(self, ids: list[str]) -> dict[str, OrganisationRecord]:
        fetched = await self.directory.organisations(ids)
        for organisation_id, record in fetched.items():
            await self._store(
                self._key("organisation", organisation_id), record, self.ttls.organisations
            )
        return fetched

    async def _cached(self, key: str, ttl: float, fetch: Callable[[], Awaitable[Value]]) -> Value:
        entry = await self.cache.get(key)
        if entry is not None and entry.fresh_until > self.clock():
            self.hits += 1
            return cast(Value, entry.value)
        self.misses += 1
        try:
            return await self._single_flight(key, lambda: self._refresh(key, ttl, fetch))
        except SourceError as error:
            if entry is None or entry.stale_until <= self.clock():
                raise
            self._served_stale(error)
            return cast(Value, entry.value)

    async def _refresh(self, key: str, ttl: float, fetch: Callable[[], Awaitable[Value]]) -> Value:
        value = await fetch()
        if value is not None:  # a missing service is not remembered: it may be published soon
            await self._store(key, value, ttl)
        return value

    async def _store(self, key: str, value: object, ttl: float) -> None:
        now = self.clock()
        await self.cache.set(key, CacheEntry(value, now + ttl, now + ttl + self.ttls.max_stale))

    async def _single_flight(self, key: str, fetch: Callable[[], Awaitable[Value]]) -> Value:
        # The call runs as its own task: a caller that gives up (cancelled request) does
        # not cancel it for the others waiting on the same key.
        task = self._flights.get(key)
        if task is None:

            async def call() -> Value:
                return await fetch()

            task = asyncio.create_task(call())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._landed(key, done))
        return cast(Value, await asyncio.shield(task))

    def _landed(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so an unawaited failure is not reported as lost

    def _served_stale(self, error: SourceError) -> None:
        self.stale_served += 1
        logger.warning(
            "serving stale %s data: the upstream failed with %s",
            error.upstream,
            error.code,
        )
