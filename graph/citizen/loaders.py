"""The viewer's loaders, keyed by what the citizen has (graph/domain/holdings.py).

The keys come from the journal, never from the network file: `(entry id, token)` for the
account areas and inboxes the viewer is linked to, `(case id, destination)` for the one
FIT-Connect, a payment link (provider, tenant, transaction) for each payment. Each key
is one upstream call, asked once per request; a failing upstream rejects only its own
keys (an outage of the request), like the public loaders this extends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from functools import partial

from graph.domain.adapters import Adapters
from graph.domain.holdings import Holdings
from graph.loaders import Batch, Loaders, each_key
from sources.base import (
    AccountRecord,
    ApplicationRecord,
    MessageRecord,
    PaymentLinkRecord,
    PaymentRecord,
    StatusEventRecord,
)
from sources.errors import SourceError
from sources.journal import Journal, JournalError

logger = logging.getLogger("portalgraph.loaders")


async def _holdings(
    _adapters: Adapters, journal: Journal | None, subject_keys: list[str]
) -> list[Holdings]:
    if journal is None:
        return [Holdings() for _ in subject_keys]
    found: list[Holdings] = []
    for key in subject_keys:  # one viewer per request: one key, one unit of work
        held = await journal.holdings(key)
        found.append(Holdings(held.entries, held.links, held.payments))
    return found


# One upstream call per key, module level (graph/loaders.py says why): (entry id, token)
# for linked account areas and inboxes, (case id, destination) for the one FIT-Connect,
# a payment link for each payment. Never by portal.


async def _account_one(adapters: Adapters, key: tuple[str, str]) -> AccountRecord | None:
    entry_id, token = key
    return await adapters.account_areas[entry_id].account(token)


async def _applications_one(adapters: Adapters, key: tuple[str, str]) -> list[ApplicationRecord]:
    entry_id, token = key
    return await adapters.account_areas[entry_id].applications(token)


async def _events_one(adapters: Adapters, case: tuple[str, str | None]) -> list[StatusEventRecord]:
    assert adapters.case_events is not None  # checked by case_events()
    return await adapters.case_events.events(*case)


async def _updates_one(adapters: Adapters, key: tuple[str, str]) -> list[StatusEventRecord]:
    entry_id, token = key
    return await adapters.postboxes[entry_id].status_updates(token)


async def _messages_one(adapters: Adapters, key: tuple[str, str]) -> list[MessageRecord]:
    entry_id, token = key
    return await adapters.postboxes[entry_id].messages(token)


async def _payment_one(adapters: Adapters, link: PaymentLinkRecord) -> PaymentRecord | None:
    return await adapters.payments[str(link.provider_id)].transaction(link)


ACCOUNTS: Batch[tuple[str, str], AccountRecord | None] = partial(each_key, _account_one)
APPLICATIONS: Batch[tuple[str, str], list[ApplicationRecord]] = partial(each_key, _applications_one)
EVENTS: Batch[tuple[str, str | None], list[StatusEventRecord]] = partial(each_key, _events_one)
UPDATES: Batch[tuple[str, str], list[StatusEventRecord]] = partial(each_key, _updates_one)
MESSAGES: Batch[tuple[str, str], list[MessageRecord]] = partial(each_key, _messages_one)
PAYMENT: Batch[PaymentLinkRecord, PaymentRecord | None] = partial(each_key, _payment_one)


class CitizenLoaders(Loaders):
    """The public loaders plus the viewer's; one instance per request (and per event)."""

    __slots__ = ()

    # The viewer's data: keys carry the sign-in token, so nothing is shared across viewers.
    # Callers pass only what the viewer has (Holdings); nothing here iterates all portals.

    async def holdings(self, subject_key: str) -> Holdings:
        """What the journal knows the viewer has; empty (and logged) when the journal is
        down, so what the linked upstreams say still answers."""
        try:
            return await self.loader(_holdings).load(subject_key)
        except JournalError as exc:
            logger.warning("journal unavailable for a viewer's holdings: %s", exc.code)
            return Holdings()

    def reread_holdings(self, subject_key: str) -> None:
        """The next `holdings` reads the journal again (after a write in this request)."""
        self.loader(_holdings).clear(subject_key)

    async def accounts(
        self, token: str, entry_ids: Iterable[str]
    ) -> dict[str, AccountRecord | None]:
        """The viewer's account at each entry's account area that answered (None: it says
        there is no account); a failing one is an outage and missing from the answer."""
        keys = [(e, token) for e in entry_ids if e in self.adapters.account_areas]
        answers = await asyncio.gather(
            *(self.loader(ACCOUNTS).load(k) for k in keys), return_exceptions=True
        )
        found: dict[str, AccountRecord | None] = {}
        for (entry_id, _), answer in zip(keys, answers, strict=True):
            if isinstance(answer, SourceError):
                self._outages.record(answer)
            elif isinstance(answer, BaseException):
                raise answer
            else:
                found[entry_id] = answer
        return found

    async def applications(self, token: str, entry_ids: Iterable[str]) -> list[ApplicationRecord]:
        keys = [(e, token) for e in entry_ids if e in self.adapters.account_areas]
        found = await self._all(self.loader(APPLICATIONS), keys, [])
        return [application for applications in found for application in applications]

    async def case_events(
        self, case_id: str, destination_id: str | None = None
    ) -> list[StatusEventRecord]:
        """The case's verified events; the authority's count only from `destination_id`."""
        if self.adapters.case_events is None:
            return []
        return (await self._all(self.loader(EVENTS), [(case_id, destination_id)], []))[0]

    async def status_updates(self, token: str, entry_ids: Iterable[str]) -> list[StatusEventRecord]:
        keys = [(e, token) for e in entry_ids if e in self.adapters.postboxes]
        found = await self._all(self.loader(UPDATES), keys, [])
        return [update for updates in found for update in updates]

    async def messages(self, token: str, entry_ids: Iterable[str]) -> list[MessageRecord]:
        keys = [(e, token) for e in entry_ids if e in self.adapters.postboxes]
        found = await self._all(self.loader(MESSAGES), keys, [])
        return [message for messages in found for message in messages]

    async def payments(self, links: Iterable[PaymentLinkRecord]) -> list[PaymentRecord]:
        """Each transaction at its own provider (links without a known provider are skipped)."""
        keys = [link for link in links if link.provider_id in self.adapters.payments]
        found = await self._all(self.loader(PAYMENT), keys, None)
        return [payment for payment in found if payment is not None]
