"""Live events. The durable event log: `logs.py` (a backend by URL) and `feed.py` (each
replica's reader and fan-out), see docs/live-updates-delivery.md.

Below, the previous in-process plumbing (bounded queues, fan-out, broker, routes, locks;
`sources.redis_events` has the pub/sub versions), kept until the gateway reads the log.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, defaultdict
from typing import Any

from sources.base import EventRecord

SEEN_MAX = 100_000


class Queue:
    """A subscriber's bounded queue; when full, the oldest event is dropped and counted."""

    def __init__(self, fanout: LocalFanout, audience: str, max_queue: int) -> None:
        self._fanout = fanout
        self.audience = audience
        self._items: asyncio.Queue[EventRecord] = asyncio.Queue(maxsize=max_queue)
        self.dropped = 0

    def put(self, event: EventRecord) -> None:
        if self._items.full():
            self._items.get_nowait()
            self.dropped += 1
            self._fanout.dropped += 1  # the queue goes away with its subscriber; this stays
        self._items.put_nowait(event)

    async def next(self) -> EventRecord:
        return await self._items.get()

    def close(self) -> None:
        self._fanout.remove(self)


class LocalFanout:
    """Delivers an event to every local queue of its audience."""

    def __init__(self) -> None:
        self._queues: dict[str, set[Queue]] = defaultdict(set)
        self.received = 0  # events that reached this process (published here or via Redis)
        self.dropped = 0

    def add(self, audience: str, max_queue: int) -> Queue:
        queue = Queue(self, audience, max_queue)
        self._queues[audience].add(queue)
        return queue

    def remove(self, queue: Queue) -> None:
        queues = self._queues.get(queue.audience)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[queue.audience]

    def deliver(self, event: EventRecord) -> int:
        self.received += 1
        queues = self._queues.get(event.audience, ())
        for queue in list(queues):
            queue.put(event)
        return len(queues)

    @property
    def subscribers(self) -> int:
        return sum(len(q) for q in self._queues.values())


class SeenIds:
    """Recently published event ids (bounded, with expiry) for de-duplication."""

    def __init__(self, *, ttl: float = 86_400.0, max_size: int = SEEN_MAX) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._ids: OrderedDict[str, float] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        now = time.monotonic()
        while self._ids and next(iter(self._ids.values())) < now:
            self._ids.popitem(last=False)
        if event_id in self._ids:
            return False
        self._ids[event_id] = now + self.ttl
        if len(self._ids) > self.max_size:
            self._ids.popitem(last=False)
        return True


class InMemoryBroker:
    def __init__(self) -> None:
        self.fanout = LocalFanout()
        self.seen = SeenIds()
        self.published = 0
        self.duplicates = 0

    async def publish(self, event: EventRecord) -> bool:
        if not self.seen.first_time(event.id):
            self.duplicates += 1
            return False
        self.published += 1
        self.fanout.deliver(event)
        return True

    def subscribe(self, audience: str, *, max_queue: int) -> Queue:
        return self.fanout.add(audience, max_queue)


class InMemoryCaseRoutes:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)

    async def register(self, portal_id: str, case_id: str, key: str, route: dict[str, Any]) -> None:
        self._routes[(portal_id, case_id)][key] = route

    async def unregister(self, portal_id: str, case_id: str, key: str) -> None:
        routes = self._routes.get((portal_id, case_id))
        if routes is not None:
            routes.pop(key, None)
            if not routes:
                del self._routes[(portal_id, case_id)]

    async def lookup(self, portal_id: str, case_id: str) -> list[dict[str, Any]]:
        return list(self._routes.get((portal_id, case_id), {}).values())


class InMemoryLock:
    def __init__(self) -> None:
        self._held: dict[str, float] = {}

    async def acquire(self, key: str, ttl: float) -> bool:
        now = time.monotonic()
        if self._held.get(key, 0.0) > now:
            return False
        self._held[key] = now + ttl
        return True
