"""Per-request DataLoaders: group keys by upstream and ask each upstream once per batch.

Reads only; writes go through graph/actions.py. The viewer's own data is loaded by the
subclass in graph/citizen/loaders.py, keyed by what the citizen has.

Public data has one upstream, the PVOG: it does the ARS hierarchy itself, so a search
is one call whatever the number of portals, and each description says by its own ARS
whose text it is. A failing upstream rejects only its own keys: its error is recorded
in the request's `OutageLog` and its keys resolve to empty values, so the other
upstreams' data still reaches the client (partial results).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from aiodataloader import DataLoader

from graph.domain.adapters import Adapters
from graph.domain.merge import merge_most_local
from graph.domain.outages import OutageLog
from sources.base import (
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServiceDirectory,
    ServiceHit,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
    page_of,
)
from sources.errors import SourceError
from sources.journal import Journal

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
# A batch function: module level, given the app-lifetime adapters and journal (never the
# request's Loaders), so a request's loaders form no reference cycle and are freed by
# reference counting the moment the request ends (issue 21; tests/unit/graph/test_no_cycles.py).
Batch = Callable[[Adapters, Journal | None, list[Key]], Awaitable[Sequence[Value | BaseException]]]


async def each_key(
    call: Callable[[Adapters, Key], Awaitable[Value]],
    adapters: Adapters,
    _journal: Journal | None,
    keys: list[Key],
) -> list[Value | BaseException]:
    """A batch for an upstream without a batch endpoint: one call per key."""
    return list(await asyncio.gather(*(call(adapters, k) for k in keys), return_exceptions=True))


def directory_of(adapters: Adapters) -> ServiceDirectory:
    directory = adapters.directory
    if directory is None:
        raise RuntimeError("the gateway has no service directory (network file [pvog])")
    return directory


# One upstream call each; `each_key` fans them out per batch.


async def _search_one(adapters: Adapters, query: ServiceQuery) -> list[ServiceRecord]:
    return await directory_of(adapters).search(query)


async def _search_page_one(adapters: Adapters, query: ServiceQuery) -> ServicePageRecord:
    return await page_of(directory_of(adapters), query)


async def _service_one(adapters: Adapters, service_id: str) -> ServiceRecord | None:
    return await directory_of(adapters).service(service_id)


async def _regions_one(adapters: Adapters, text: str) -> list[RegionRecord]:
    return await directory_of(adapters).regions(text)


async def _by_leika(
    adapters: Adapters, _journal: Journal | None, keys: list[tuple[str, str]]
) -> list[list[ServiceRecord] | BaseException]:
    # One search per region with every LeiKa key asked for there (leikaIds=k1,k2,...);
    # the PVOG adds the Bund and Land texts (useArsHierarchy).
    by_ars: dict[str, list[str]] = defaultdict(list)
    for ars, leika in keys:
        by_ars[ars].append(leika)
    directory = directory_of(adapters)
    areas = list(by_ars)
    found = await asyncio.gather(
        *(directory.search(ServiceQuery(a, None, tuple(by_ars[a]))) for a in areas),
        return_exceptions=True,
    )
    answers = dict(zip(areas, found, strict=True))
    out: list[list[ServiceRecord] | BaseException] = []
    for ars, leika in keys:
        records = answers[ars]
        out.append(
            records
            if isinstance(records, BaseException)
            else [r for r in records if leika in r.leika_keys]
        )
    return out


async def _organisations(
    adapters: Adapters, _journal: Journal | None, ids: list[str]
) -> list[OrganisationRecord | BaseException | None]:
    try:
        found = await directory_of(adapters).organisations(ids)
    except SourceError as exc:
        return [exc for _ in ids]
    return [found.get(i) for i in ids]


class Loaders:
    """The read loaders of one request; build a fresh instance per request (and per event).

    Each DataLoader is made on its first use (most operations need one or two of them) and
    calls a module-level batch function with the adapters: nothing it holds points back
    at this object."""

    __slots__ = ("_journal", "_made", "_outages", "adapters")  # one per idle subscription

    def __init__(
        self, outages: OutageLog, adapters: Adapters, journal: Journal | None = None
    ) -> None:
        self.adapters = adapters
        self._outages = outages
        self._journal = journal
        self._made: dict[object, DataLoader[Any, Any]] = {}

    def loader(self, batch: Batch[Key, Value]) -> DataLoader[Key, Value]:
        """This request's DataLoader of `batch` (a `partial` of `each_key` or a batch function)."""
        made: DataLoader[Key, Value] | None = self._made.get(batch)
        if made is None:
            # aiodataloader rejects the keys whose slot holds an exception; its annotations
            # do not model that, hence the cast.
            made = DataLoader(cast(Any, partial(batch, self.adapters, self._journal)))
            self._made[batch] = made
        return made

    # Public data.

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        """Every description in force for the query's ARS: one PVOG search (the PVOG adds
        the Bund and Land texts), each record the text of its own ARS's portal."""
        return (await self._all(self.loader(SEARCH), [query], []))[0]

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord | None:
        """One page of a search at the PVOG (the PVOG adds the Bund and Land texts, each
        record the text of its own ARS's portal); None when it failed (an outage)."""
        return (await self._all(self.loader(SEARCH_PAGE), [query], None))[0]

    async def service(self, service_id: str) -> ServiceRecord | None:
        return (await self._all(self.loader(SERVICE), [service_id], None))[0]

    async def organisation(self, organisation_id: str) -> OrganisationRecord | None:
        return (await self._all(self.loader(_organisations), [organisation_id], None))[0]

    async def regions(self, text: str) -> list[RegionRecord]:
        """The PVOG's places (`/v3/locations`) matching a name or postal code: one call."""
        return (await self._all(self.loader(REGIONS), [text], []))[0]

    async def service_for(self, ars: str, leika_key: str) -> ServiceRecord | None:
        """The most local description of a LeiKa key for a region (ARS inheritance)."""
        found = (await self._all(self.loader(_by_leika), [(ars, leika_key)], []))[0]
        merged = merge_most_local(found, self.origins(found))
        return merged[0] if merged else None

    def origins(self, records: Sequence[ServiceRecord | ServiceHit]) -> dict[str, PortalRecord]:
        """The portals the records are texts of (a record of no known portal has none)."""
        portals = self.adapters.portals
        found = {r.portal_id: portals.get(r.portal_id) for r in records}
        return {portal_id: p for portal_id, p in found.items() if p is not None}

    async def _all(
        self, loader: DataLoader[Key, Value], keys: list[Key], empty: Value
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


# The per-key batches, made once: `Loaders.loader` keys its DataLoaders by these objects.
SEARCH: Batch[ServiceQuery, list[ServiceRecord]] = partial(each_key, _search_one)
SEARCH_PAGE: Batch[ServiceQuery, ServicePageRecord | None] = partial(each_key, _search_page_one)
SERVICE: Batch[str, ServiceRecord | None] = partial(each_key, _service_one)
REGIONS: Batch[str, list[RegionRecord]] = partial(each_key, _regions_one)
