"""Pollers for upstreams without callbacks: mailboxes (Postfach) and payments.

A watch is one viewer's mailbox at a `[[portals]]` entry or payments at a provider, shared by the viewer's
subscriptions on this replica. Each poll compares with what the watch saw before and
publishes only changes. An item counts as seen only once its event is stored in the log
(`publish` returned): if the log is down the append raises, the poll stops there, and the
next poll produces the item again (issue 19 #3). A lock per watch lets one replica poll
it per interval; ids de-duplicate the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from graph.domain.adapters import Adapters
from graph.domain.live_events import for_events, message_event, payment_event, status_event
from sources.base import (
    ApplicationRecord,
    EventPosition,
    EventRecord,
    Lock,
    PaymentLinkRecord,
    ViewerRecord,
)
from sources.errors import SourceError

logger = logging.getLogger("portalgraph.live")
Publish = Callable[[EventRecord], Awaitable[EventPosition]]
WatchKey = tuple[str, str, str]


@dataclass(slots=True)
class Watch:
    """One viewer's mailbox (at a `[[portals]]` entry) or payments (at a provider), as
    last seen by the poller."""

    kind: str
    portal_id: str  # the upstream: an entry id (inbox) or a payment provider id
    audience: str
    viewer: ViewerRecord
    followers: int = 1
    seen: set[str] = field(default_factory=set)
    payments: dict[str, tuple[PaymentLinkRecord, ApplicationRecord]] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    applications: dict[str, ApplicationRecord] = field(default_factory=dict)


class Pollers:
    def __init__(self, adapters: Adapters, publish: Publish, lock: Lock, interval: float) -> None:
        self.adapters = adapters
        self._publish = publish
        self.lock = lock
        self.interval = interval
        self.watches: dict[WatchKey, Watch] = {}
        self._task: asyncio.Task[None] | None = None

    async def follow(
        self,
        viewer: ViewerRecord,
        audience: str,
        applications: list[ApplicationRecord],
        inboxes: Sequence[str],
        payments: Sequence[tuple[PaymentLinkRecord, ApplicationRecord]],
    ) -> tuple[WatchKey, ...]:
        """Watches only what the viewer has: the inboxes of the `[[portals]]` entries they
        are linked to (entry ids) and their payments at each link's own provider; never a
        watch per portal of the network."""
        watched: list[WatchKey] = []
        by_provider: dict[str, list[tuple[PaymentLinkRecord, ApplicationRecord]]] = {}
        for link, app in payments:
            if link.provider_id in self.adapters.payments:
                by_provider.setdefault(str(link.provider_id), []).append((link, app))
        try:
            for entry_id in sorted(e for e in set(inboxes) if e in self.adapters.postboxes):
                # Every followed application, not only the entry's own portal's: the BundID
                # Postfach holds the Statusmonitor updates of every portal's applications.
                watched.append(
                    await self._watch("inbox", entry_id, audience, viewer, applications, [])
                )
            for provider_id, links in sorted(by_provider.items()):
                watched.append(
                    await self._watch("payments", provider_id, audience, viewer, [], links)
                )
        except BaseException:
            # Cancelled (the subscriber left while its set-up ran): nobody will unfollow
            # these, and a watch left behind would be polled for as long as the process runs.
            self.unfollow(tuple(watched))
            raise
        return tuple(watched)

    def unfollow(self, keys: tuple[WatchKey, ...]) -> None:
        for key in keys:
            watch = self.watches.get(key)
            if watch is not None:
                watch.followers -= 1
                if watch.followers <= 0:
                    del self.watches[key]

    async def _watch(
        self,
        kind: str,
        upstream_id: str,
        audience: str,
        viewer: ViewerRecord,
        applications: list[ApplicationRecord],
        payments: list[tuple[PaymentLinkRecord, ApplicationRecord]],
    ) -> WatchKey:
        """`upstream_id`: the inbox's `[[portals]]` entry, or the payment provider."""
        key = (kind, upstream_id, audience)
        watch = self.watches.get(key)
        if watch is not None:
            watch.followers += 1
            watch.viewer = viewer
            return key
        watch = Watch(kind, upstream_id, audience, viewer)
        watch.applications = {a.id: for_events(a) for a in applications}
        watch.payments = {link.transaction_id: (link, for_events(app)) for link, app in payments}
        self.watches[key] = watch
        # The baseline: what exists now is not news.
        try:
            await self.poll(watch, publish=False)
        except SourceError:
            pass
        except BaseException:
            self.unfollow((key,))  # cancelled during the baseline: the watch goes with it
            raise
        return key

    async def poll(self, watch: Watch, *, publish: bool = True) -> int:
        """Publishes what changed since the last poll; how many events were stored.

        Raises SourceError when the upstream or the log fails; what was stored stays seen.
        """
        if watch.kind == "inbox":
            return await self._poll_inbox(watch, publish)
        return await self._poll_payments(watch, publish)

    async def _poll_inbox(self, watch: Watch, publish: bool) -> int:
        box = self.adapters.postboxes[watch.portal_id]
        messages, updates = await asyncio.gather(
            box.messages(watch.viewer.token), box.status_updates(watch.viewer.token)
        )
        sent = 0
        for message in messages:
            if message.id not in watch.seen:
                if publish:
                    await self._publish(message_event(watch.audience, message))
                    sent += 1
                watch.seen.add(message.id)  # only after the append returned
        for update in updates:
            if update.id in watch.seen:
                continue
            app = watch.applications.get(update.application_id or "")
            if publish and app is not None:
                await self._publish(status_event(watch.audience, app, update))
                sent += 1
            watch.seen.add(update.id)
        return sent

    async def _poll_payments(self, watch: Watch, publish: bool) -> int:
        provider = self.adapters.payments[watch.portal_id]
        sent = 0
        for transaction_id, (link, application) in list(watch.payments.items()):
            record = await provider.transaction(link)
            if record is None or watch.statuses.get(transaction_id) == record.status.value:
                continue
            if publish:
                await self._publish(payment_event(watch.audience, record, application))
                sent += 1
            watch.statuses[transaction_id] = record.status.value
        return sent

    async def start(self) -> None:
        self._task = asyncio.create_task(self._poll_forever(), name="portalgraph-pollers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            for key, watch in list(self.watches.items()):
                if watch.viewer.expires_at <= time.time():
                    continue  # the viewer's token can no longer be exchanged
                lock_key = "poll:" + ":".join(key)
                if not await self.lock.acquire(lock_key, self.interval * 0.9):
                    continue  # another replica polls this one in this interval
                try:
                    await self.poll(watch)
                except SourceError as exc:
                    logger.info("poll of %s/%s failed: %s", watch.portal_id, watch.kind, exc.code)
