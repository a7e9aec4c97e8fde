"""Per-request DataLoaders: group keys by portal and ask each upstream once per batch.

Reads only; writes go through graph/actions.py.

A failing portal rejects only its own keys: its error is recorded in the
request's `OutageLog` and its keys resolve to empty values, so the other
portals' data still reaches the client (partial results).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar, cast

from aiodataloader import DataLoader

from graph.domain.adapters import Adapters
from graph.domain.merge import merge_most_local
from graph.domain.outages import OutageLog
from sources.base import (
    AccountRecord,
    ApplicationRecord,
    MessageRecord,
    OrganisationRecord,
    PaymentLinkRecord,
    PaymentRecord,
    RegionRecord,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
    StatusEventRecord,
    ars_covers,
    page_of,
)
from sources.errors import SourceError
from sources.journal import Journal, JournalError, SubmissionEntry

logger = logging.getLogger("portalgraph.loaders")

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
PortalKey = tuple[str, Key]


def _loader(
    batch: Callable[[list[Key]], Awaitable[Sequence[Value | BaseException]]],
) -> DataLoader[Key, Value]:
    # aiodataloader rejects the keys whose slot holds an exception; its annotations
    # do not model that, hence the cast.
    return DataLoader(cast(Any, batch))


def _per_portal(
    fetch: Callable[[str, list[Key]], Awaitable[Mapping[Key, Value]]], missing: Value
) -> Callable[[list[PortalKey[Key]]], Awaitable[list[Value | BaseException]]]:
    """A batch function that runs `fetch` once per portal, concurrently, in key order."""

    async def batch(keys: list[PortalKey[Key]]) -> list[Value | BaseException]:
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

    return batch


def _each(
    call: Callable[[str, Key], Awaitable[Value]],
) -> Callable[[str, list[Key]], Awaitable[dict[Key, Value]]]:
    """For upstreams without a batch endpoint: one call per key, concurrently."""

    async def fetch(portal_id: str, keys: list[Key]) -> dict[Key, Value]:
        found = await asyncio.gather(*(call(portal_id, k) for k in keys))
        return dict(zip(keys, found, strict=True))

    return fetch


class Loaders:
    """The read loaders of one request; build a fresh instance per request (and per event)."""

    def __init__(
        self, outages: OutageLog, adapters: Adapters, journal: Journal | None = None
    ) -> None:
        self.adapters = adapters
        self._outages = outages
        self._journal = journal
        # Keyed by the viewer's pseudonym: one journal query per request.
        self._own: DataLoader[str, list[SubmissionEntry]] = _loader(self._fetch_own)
        self._search: DataLoader[PortalKey[ServiceQuery], list[ServiceRecord]] = _loader(
            _per_portal(_each(self._search_one), [])
        )
        self._search_page: DataLoader[PortalKey[ServiceQuery], ServicePageRecord | None] = _loader(
            _per_portal(_each(self._search_page_one), None)
        )
        self._service: DataLoader[PortalKey[str], ServiceRecord | None] = _loader(
            _per_portal(_each(self._service_one), None)
        )
        self._organisation: DataLoader[PortalKey[str], OrganisationRecord | None] = _loader(
            _per_portal(self._fetch_organisations, None)
        )
        self._regions: DataLoader[PortalKey[str], list[RegionRecord]] = _loader(
            _per_portal(_each(self._regions_one), [])
        )
        self._accounts: DataLoader[PortalKey[str], AccountRecord | None] = _loader(
            _per_portal(_each(self._account_one), None)
        )
        self._applications: DataLoader[PortalKey[str], list[ApplicationRecord]] = _loader(
            _per_portal(_each(self._applications_one), [])
        )
        self._events: DataLoader[PortalKey[tuple[str, str | None]], list[StatusEventRecord]] = (
            _loader(_per_portal(_each(self._events_one), []))
        )
        self._updates: DataLoader[PortalKey[str], list[StatusEventRecord]] = _loader(
            _per_portal(_each(self._updates_one), [])
        )
        self._messages: DataLoader[PortalKey[str], list[MessageRecord]] = _loader(
            _per_portal(_each(self._messages_one), [])
        )
        self._payment: DataLoader[PortalKey[PaymentLinkRecord], PaymentRecord | None] = _loader(
            _per_portal(_each(self._payment_one), None)
        )
        self._by_leika: DataLoader[PortalKey[tuple[str, str]], list[ServiceRecord]] = _loader(
            _per_portal(self._fetch_by_leika, [])
        )

    # One upstream call each; the batch functions above group and fan them out.

    async def _fetch_own(self, subject_keys: list[str]) -> list[list[SubmissionEntry]]:
        journal = self._journal
        return [await journal.entries(key) if journal else [] for key in subject_keys]

    async def _search_one(self, portal_id: str, query: ServiceQuery) -> list[ServiceRecord]:
        return await self.adapters.directories[portal_id].search(query)

    async def _search_page_one(self, portal_id: str, query: ServiceQuery) -> ServicePageRecord:
        return await page_of(self.adapters.directories[portal_id], query)

    async def _service_one(self, portal_id: str, service_id: str) -> ServiceRecord | None:
        return await self.adapters.directories[portal_id].service(service_id)

    async def _regions_one(self, portal_id: str, text: str) -> list[RegionRecord]:
        return await self.adapters.directories[portal_id].regions(text)

    async def _account_one(self, portal_id: str, token: str) -> AccountRecord | None:
        return await self.adapters.account_areas[portal_id].account(token)

    async def _applications_one(self, portal_id: str, token: str) -> list[ApplicationRecord]:
        return await self.adapters.account_areas[portal_id].applications(token)

    async def _events_one(
        self, portal_id: str, case: tuple[str, str | None]
    ) -> list[StatusEventRecord]:
        return await self.adapters.case_events[portal_id].events(*case)

    async def _updates_one(self, portal_id: str, token: str) -> list[StatusEventRecord]:
        return await self.adapters.postboxes[portal_id].status_updates(token)

    async def _messages_one(self, portal_id: str, token: str) -> list[MessageRecord]:
        return await self.adapters.postboxes[portal_id].messages(token)

    async def _payment_one(self, portal_id: str, link: PaymentLinkRecord) -> PaymentRecord | None:
        return await self.adapters.payments[portal_id].transaction(link)

    async def _fetch_by_leika(
        self, portal_id: str, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], list[ServiceRecord]]:
        # One search per region with every LeiKa key asked for there (leikaIds=k1,k2,...).
        by_ars: dict[str, list[str]] = defaultdict(list)
        for ars, leika in keys:
            by_ars[ars].append(leika)
        directory = self.adapters.directories[portal_id]
        areas = list(by_ars)
        found = await asyncio.gather(
            *(directory.search(ServiceQuery(a, None, tuple(by_ars[a]))) for a in areas)
        )
        out: dict[tuple[str, str], list[ServiceRecord]] = {}
        for ars, records in zip(areas, found, strict=True):
            for leika in by_ars[ars]:
                out[(ars, leika)] = [r for r in records if leika in r.leika_keys]
        return out

    async def _fetch_organisations(
        self, portal_id: str, ids: list[str]
    ) -> Mapping[str, OrganisationRecord | None]:
        return await self.adapters.directories[portal_id].organisations(ids)

    # Public data.

    async def search(self, portal_ids: Sequence[str], query: ServiceQuery) -> list[ServiceRecord]:
        found = await self._all(self._search, [(p, query) for p in portal_ids], [])
        return [record for records in found for record in records]

    async def search_page(self, portal_id: str, query: ServiceQuery) -> ServicePageRecord | None:
        """One page of a search at one directory; None when it failed (an outage)."""
        return (await self._all(self._search_page, [(portal_id, query)], None))[0]

    async def service(self, portal_id: str, service_id: str) -> ServiceRecord | None:
        return (await self._all(self._service, [(portal_id, service_id)], None))[0]

    async def organisation(self, portal_id: str, organisation_id: str) -> OrganisationRecord | None:
        return (await self._all(self._organisation, [(portal_id, organisation_id)], None))[0]

    async def regions(self, portal_ids: Sequence[str], text: str) -> list[RegionRecord]:
        found = await self._all(self._regions, [(p, text) for p in portal_ids], [])
        return [region for regions in found for region in regions]

    async def service_for(self, ars: str, leika_key: str) -> ServiceRecord | None:
        """The most local description of a LeiKa key for a region (ARS inheritance)."""
        portals = {
            p: d.portal
            for p, d in self.adapters.directories.items()
            if ars_covers(d.portal.ars, ars)
        }
        found = await self._all(self._by_leika, [(p, (ars, leika_key)) for p in portals], [])
        merged = merge_most_local([r for records in found for r in records], portals)
        return merged[0] if merged else None

    # The viewer's data: keys carry the sign-in token, so nothing is shared across viewers.

    async def accounts(self, token: str) -> list[AccountRecord]:
        keys = [(p, token) for p in self.adapters.account_areas]
        return [a for a in await self._all(self._accounts, keys, None) if a is not None]

    async def applications(self, token: str, portal_ids: Sequence[str]) -> list[ApplicationRecord]:
        found = await self._all(self._applications, [(p, token) for p in portal_ids], [])
        return [application for applications in found for application in applications]

    async def own_submissions(self, subject_key: str) -> list[SubmissionEntry]:
        """What this gateway submitted for the viewer; empty (and logged) when the journal
        is down, so the portals' lists still answer."""
        try:
            return await self._own.load(subject_key)
        except JournalError as exc:
            logger.warning("journal unavailable for a viewer's list: %s", exc.code)
            return []

    async def case_events(
        self, portal_id: str, case_id: str, destination_id: str | None = None
    ) -> list[StatusEventRecord]:
        """The case's verified events; the authority's count only from `destination_id`."""
        if portal_id not in self.adapters.case_events:
            return []
        return (await self._all(self._events, [(portal_id, (case_id, destination_id))], []))[0]

    async def status_updates(self, portal_id: str, token: str) -> list[StatusEventRecord]:
        if portal_id not in self.adapters.postboxes:
            return []
        return (await self._all(self._updates, [(portal_id, token)], []))[0]

    async def messages(self, token: str, portal_ids: Sequence[str]) -> list[MessageRecord]:
        found = await self._all(self._messages, [(p, token) for p in portal_ids], [])
        return [message for messages in found for message in messages]

    async def payments(
        self, portal_id: str, links: Sequence[PaymentLinkRecord]
    ) -> list[PaymentRecord]:
        if portal_id not in self.adapters.payments:
            return []
        found = await self._all(self._payment, [(portal_id, link) for link in links], None)
        return [payment for payment in found if payment is not None]

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
