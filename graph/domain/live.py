"""Live updates: who follows what, the durable event log in and out, event payloads.

A subscription *follows* the viewer's applications: it records their FIT-Connect cases
as durable routes (so a callback on any replica finds the viewer, also after a restart)
and starts watches on the viewer's mailboxes and open payments (graph/domain/live_pollers.py).
Every event goes through the event log (sources/events): `publish` returns only once the
event is stored, and each replica's feed reads the log from its own position and hands
events to its subscribers, at most once each (docs/live-updates-delivery.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graph.domain.adapters import Adapters
from graph.domain.errors import TooManySubscriptionsError
from graph.domain.live_events import route_for
from graph.domain.live_pollers import Pollers
from sources.base import (
    ApplicationRecord,
    CaseRouteRecord,
    CaseRoutes,
    EventPosition,
    EventRecord,
    Lock,
    PaymentLinkRecord,
    Retention,
    ViewerRecord,
)
from sources.errors import SourceError
from sources.events.feed import EventFeed, Subscription

logger = logging.getLogger("portalgraph.live")
LiveSubscription = Subscription  # what a resolver holds: one subscriber's queue of the feed
ROUTE_REFRESH = 600.0  # seconds a process trusts a route it recorded, before writing it again
ROUTES_REMEMBERED = 100_000
ROUTES_WAITING = 10_000  # follows whose routes are not yet written; more are not recorded
ROUTES_PER_WRITE = 500  # routes written in one journal transaction
# Follows set up at once. Each lists the viewer's applications and polls their mailboxes
# (upstream calls, CPU on this event loop); a burst of hundreds at once filled the loop's
# queue so that every event waited behind them (bench/live_latency.py --while-subscribing).
# Not fewer: with real upstream latency a set-up mostly waits, and a new viewer's watches
# and routes start only with it (1,000 subscribing, load 5: p99 126 ms with 8, 347 with 32).
SETUPS_AT_ONCE = 32


@dataclass(frozen=True, slots=True)
class Follow:
    key: str
    audience: str
    cases: tuple[tuple[str, str], ...]
    watches: tuple[tuple[str, str, str], ...]


class LiveHub:
    """Process-wide: the event log's feed, the case routes, the watches and their pollers."""

    def __init__(
        self,
        feed: EventFeed,
        routes: CaseRoutes,
        lock: Lock,
        adapters: Adapters,
        *,
        audience_key: bytes,
        subject_key: Callable[[str], str] | None = None,
        poll_interval: float = 5.0,
        max_queue: int = 100,
        max_per_viewer: int = 20,
        retention: Retention | None = None,
    ) -> None:
        self.feed = feed
        self.routes = routes
        self.lock = lock
        self.adapters = adapters
        self._key = audience_key
        self._subject_key = subject_key
        self.max_queue = max_queue
        self.max_per_viewer = max_per_viewer
        self.retention = retention or Retention()  # how long a client can resume
        self.subscriptions: dict[str, int] = {}
        self.pollers = Pollers(adapters, self.publish, lock, poll_interval)
        self.published = self.publish_failures = 0
        self.setups = asyncio.Semaphore(SETUPS_AT_ONCE)  # see graph/domain/live_reader.py
        self._routed: dict[tuple[str, str, str], float] = {}  # route → refresh after
        self._routes_due: asyncio.Queue[list[CaseRouteRecord]] = asyncio.Queue(ROUTES_WAITING)
        self._router: asyncio.Task[None] | None = None

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

    async def publish(self, event: EventRecord) -> EventPosition:
        """Append the event to the log; returns once it is stored.

        Raises EventLogUnavailableError otherwise: the caller must not acknowledge the
        event (a callback answers 503, a poller keeps the item unseen).
        """
        try:
            position = await self.feed.log.append(event)
        except SourceError:
            self.publish_failures += 1
            raise
        self.published += 1
        return position

    async def subscribe(self, audience: str, after: EventPosition | None = None) -> Subscription:
        """The audience's events from now on, or those after `after` first (a resume)."""
        return await self.feed.subscribe(audience, after=after, max_queue=self.max_queue)

    def position(self, text: str) -> EventPosition:
        """A client's `after` / Last-Event-ID as a position of this log (EventPositionError)."""
        return self.feed.log.position(text)

    async def follow(
        self,
        viewer: ViewerRecord,
        applications: list[ApplicationRecord],
        key: str,
        *,
        inboxes: Sequence[str] = (),
        payments: Sequence[tuple[PaymentLinkRecord, ApplicationRecord]] = (),
    ) -> Follow:
        """Records the applications' cases and watches only what the viewer has: the
        inboxes of the `[[portals]]` entries they are linked to (`inboxes`, entry ids) and
        their payments, by provider (each link names its provider)."""
        audience = self.audience(viewer.subject)
        route_key = self._subject_key(viewer.subject) if self._subject_key else audience
        cases = tuple((a.portal_id, a.case_id) for a in applications)
        # The routes are written in the background, many per transaction: the journal
        # serialises its writes, each waits for an fsync, and a subscriber waiting for them
        # would not read its events meanwhile (bench/: p50 4.9 s at 1,000 new subscribers).
        routes = [
            CaseRouteRecord(a.portal_id, a.case_id, route_key, route_for(audience, a))
            for a in applications
        ]
        try:
            if routes:
                self._routes_due.put_nowait(routes)
        except asyncio.QueueFull:
            logger.warning("case routes not recorded: %d waiting already", ROUTES_WAITING)
        watched = await self.pollers.follow(viewer, audience, applications, inboxes, payments)
        return Follow(key, audience, cases, watched)

    def _not_recorded(self, routes: list[CaseRouteRecord], now: float) -> list[CaseRouteRecord]:
        return [r for r in routes if self._routed.get((r.portal_id, r.case_id, r.key), 0.0) <= now]

    async def _record_routes(self) -> None:
        """Writes the waiting follows' routes, up to ROUTES_PER_WRITE in one transaction:
        while one write waits for its fsync the next follows' routes gather."""
        while True:
            now = time.monotonic()
            batch = self._not_recorded(await self._routes_due.get(), now)
            while len(batch) < ROUTES_PER_WRITE and not self._routes_due.empty():
                batch += self._not_recorded(self._routes_due.get_nowait(), now)
            if not batch:
                continue  # all recorded by this process a moment ago
            try:
                await self.routes.register_all(batch)
            except SourceError as exc:
                # The Statusmonitor poller still reports the cases; callbacks miss them meanwhile.
                logger.warning("%d case routes not recorded (%s)", len(batch), exc.code)
                continue
            except Exception:  # one bad batch must not stop the recording of all others
                logger.exception("case routes not recorded")
                continue
            refresh = time.monotonic() + ROUTE_REFRESH
            for r in batch:
                self._routed[(r.portal_id, r.case_id, r.key)] = refresh
            while len(self._routed) > ROUTES_REMEMBERED:
                self._routed.pop(next(iter(self._routed)))

    async def unfollow(self, follow: Follow) -> None:
        # Routes stay (they are durable, see graph/domain/live_routes.py); watches go.
        self.pollers.unfollow(follow.watches)

    def status(self) -> dict[str, object]:
        """The event log as this replica sees it (for /healthz/upstreams and /status)."""
        return {
            **dataclasses.asdict(self.feed.log.status()),
            "position": self.feed.position,
            "subscribers": self.feed.subscribers,
            "publishFailures": self.publish_failures,
        }

    async def start(self) -> None:
        await self.pollers.start()
        self._router = asyncio.create_task(self._record_routes(), name="portalgraph-routes")

    async def stop(self) -> None:
        await self.pollers.stop()
        if self._router is not None:
            self._router.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._router


def audience_of(key: bytes, subject: str) -> str:
    """Who a live event is for: a keyed pseudonym, the same on every replica."""
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()[:32]
