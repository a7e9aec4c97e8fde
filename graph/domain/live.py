"""Live updates: who follows what, pollers for upstreams without callbacks, event payloads.

A subscription *follows* the viewer's applications: it registers their FIT-Connect
cases (so a callback on any replica can find the viewer) and starts watches on the
mailboxes of the portal entries the viewer is linked to and on their payments, at each
payment's own provider: never a watch per portal of the network. Pollers compare each watch with what it saw
before and publish only changes; the broker de-duplicates by event id, so two
replicas or a replayed callback never deliver an event twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.domain.adapters import Adapters
from graph.domain.errors import TooManySubscriptionsError
from graph.domain.live_events import message_event, payment_event, route_for, status_event
from sources.base import (
    ApplicationRecord,
    Broker,
    CaseRoutes,
    Lock,
    PaymentLinkRecord,
    ViewerRecord,
)
from sources.errors import SourceError

logger = logging.getLogger("portalgraph.live")


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


@dataclass(frozen=True, slots=True)
class Follow:
    key: str
    audience: str
    cases: tuple[tuple[str, str], ...]
    watches: tuple[tuple[str, str, str], ...]


class LiveHub:
    """Process-wide: the broker, the case routes, the watches and their pollers."""

    def __init__(
        self,
        broker: Broker,
        routes: CaseRoutes,
        lock: Lock,
        adapters: Adapters,
        *,
        audience_key: bytes,
        poll_interval: float = 5.0,
        max_queue: int = 100,
        max_per_viewer: int = 20,
    ) -> None:
        self.broker = broker
        self.routes = routes
        self.lock = lock
        self.adapters = adapters
        self._key = audience_key
        self.poll_interval = poll_interval
        self.max_queue = max_queue
        self.max_per_viewer = max_per_viewer
        self.watches: dict[tuple[str, str, str], Watch] = {}
        self.subscriptions: dict[str, int] = {}
        self._poller: asyncio.Task[None] | None = None

    def audience(self, subject: str) -> str:
        return audience_of(self._key, subject)

    def open(self, audience: str) -> None:
        if self.subscriptions.get(audience, 0) >= self.max_per_viewer:
            raise TooManySubscriptionsError("Too many subscriptions for this viewer.")
        self.subscriptions[audience] = self.subscriptions.get(audience, 0) + 1

    def close(self, audience: str) -> None:
        remaining = self.subscriptions.get(audience, 1) - 1
        if remaining > 0:
            self.subscriptions[audience] = remaining
        else:
            self.subscriptions.pop(audience, None)

    async def follow(
        self,
        viewer: ViewerRecord,
        applications: list[ApplicationRecord],
        key: str,
        *,
        inboxes: Sequence[str] = (),
        payments: Sequence[tuple[PaymentLinkRecord, ApplicationRecord]] = (),
    ) -> Follow:
        """Registers the applications' cases and watches only what the viewer has: the
        inboxes of the `[[portals]]` entries they are linked to (`inboxes`, entry ids) and
        their payments, by provider (each link names its provider)."""
        audience = self.audience(viewer.subject)
        cases = tuple((a.portal_id, a.case_id) for a in applications)
        for app in applications:
            await self.routes.register(app.portal_id, app.case_id, key, route_for(audience, app))
        watched: list[tuple[str, str, str]] = []
        for entry_id in sorted(e for e in set(inboxes) if e in self.adapters.postboxes):
            own = [a for a in applications if self.adapters.entry_id(a.portal_id) == entry_id]
            watched.append(await self._watch("inbox", entry_id, audience, viewer, own, []))
        by_provider: dict[str, list[tuple[PaymentLinkRecord, ApplicationRecord]]] = {}
        for link, app in payments:
            if link.provider_id in self.adapters.payments:
                by_provider.setdefault(str(link.provider_id), []).append((link, app))
        for provider_id, links in sorted(by_provider.items()):
            watched.append(await self._watch("payments", provider_id, audience, viewer, [], links))
        return Follow(key, audience, cases, tuple(watched))

    async def unfollow(self, follow: Follow) -> None:
        for portal_id, case_id in follow.cases:
            with contextlib.suppress(SourceError):
                await self.routes.unregister(portal_id, case_id, follow.key)
        for key in follow.watches:
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
    ) -> tuple[str, str, str]:
        """`upstream_id`: the inbox's `[[portals]]` entry, or the payment provider."""
        key = (kind, upstream_id, audience)
        watch = self.watches.get(key)
        if watch is not None:
            watch.followers += 1
            watch.viewer = viewer
            return key
        watch = Watch(kind, upstream_id, audience, viewer)
        watch.applications = {a.id: a for a in applications}
        watch.payments = {link.transaction_id: (link, app) for link, app in payments}
        self.watches[key] = watch
        # The baseline: what exists now is not news.
        with contextlib.suppress(SourceError):
            await self.poll(watch, publish=False)
        return key

    async def poll(self, watch: Watch, *, publish: bool = True) -> int:
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
            if message.id in watch.seen:
                continue
            watch.seen.add(message.id)
            if publish:
                sent += await self.broker.publish(message_event(watch.audience, message))
        for update in updates:
            if update.id in watch.seen:
                continue
            watch.seen.add(update.id)
            app = watch.applications.get(update.application_id or "")
            if publish and app is not None:
                sent += await self.broker.publish(status_event(watch.audience, app, update))
        return sent

    async def _poll_payments(self, watch: Watch, publish: bool) -> int:
        provider = self.adapters.payments[watch.portal_id]
        sent = 0
        for transaction_id, (link, application) in list(watch.payments.items()):
            record = await provider.transaction(link)
            if record is None or watch.statuses.get(transaction_id) == record.status.value:
                continue
            watch.statuses[transaction_id] = record.status.value
            if publish:
                sent += await self.broker.publish(
                    payment_event(watch.audience, record, application)
                )
        return sent

    async def start(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="portalgraph-pollers")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            for key, watch in list(self.watches.items()):
                if watch.viewer.expires_at <= time.time():
                    continue  # the viewer's token can no longer be exchanged
                lock_key = "poll:" + ":".join(key)
                if not await self.lock.acquire(lock_key, self.poll_interval * 0.9):
                    continue  # another replica polls this one in this interval
                try:
                    await self.poll(watch)
                except SourceError as exc:
                    logger.info("poll of %s/%s failed: %s", watch.portal_id, watch.kind, exc.code)


def audience_of(key: bytes, subject: str) -> str:
    """Who a live event is for: a keyed pseudonym, the same on every replica."""
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()[:32]
