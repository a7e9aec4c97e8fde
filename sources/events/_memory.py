"""The embedded default event log: a ring buffer in this process.

Positions count up from this process's start ("{epoch ms}-{n}", both zero-padded so they
sort as strings). Nothing survives a restart and nothing is shared with other replicas:
use it for one process (`make run`, tests), a durable log for more.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncGenerator, Callable
from itertools import islice

from sources.base import EventLogStatus, EventPosition, EventRecord, LoggedEvent, Replay, Retention
from sources.errors import EventPositionError

BACKEND = "memory"
POSITION = re.compile(r"^(\d{13})-(\d{16})$")
BATCH = 500


class MemoryEventLog:
    def __init__(
        self, retention: Retention | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.retention = retention or Retention()
        self._clock = clock
        self._epoch = int(clock() * 1000)
        self._items: deque[tuple[float, LoggedEvent]] = deque(maxlen=self.retention.max_events)
        self._last = 0  # n of the newest event ever stored
        self._ids: OrderedDict[str, tuple[EventPosition, float]] = OrderedDict()
        self._wake = asyncio.Event()
        self._appended = self._duplicates = self._delivered = self._missed = 0
        self._closed = False

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._closed = True
        self._wake.set()

    def _format(self, n: int) -> EventPosition:
        return EventPosition(f"{self._epoch:013d}-{n:016d}")

    def position(self, text: str) -> EventPosition:
        if not POSITION.match(text):
            raise EventPositionError("not a position of this event log", backend=BACKEND)
        return EventPosition(text)

    def _number(self, position: EventPosition) -> int | None:
        """n of a position of this process's log; None for one of an earlier process."""
        match = POSITION.match(self.position(position))
        assert match is not None  # position() checked it
        if int(match[1]) != self._epoch:
            return None
        return int(match[2])

    async def head(self) -> EventPosition:
        return self._format(self._last)

    async def append(self, event: EventRecord) -> EventPosition:
        now = self._clock()
        self._trim(now)
        known = self._ids.get(event.id)
        if known is not None:
            self._duplicates += 1
            return known[0]
        self._last += 1
        position = self._format(self._last)
        self._items.append((now, LoggedEvent(position, event)))
        self._ids[event.id] = (position, now)
        self._appended += 1
        self._wake.set()
        self._wake = asyncio.Event()  # readers waiting on the old one wake up, new ones wait
        return position

    def _trim(self, now: float) -> None:
        while self._items and self._items[0][0] < now - self.retention.max_age:
            self._items.popleft()
        window = now - self.retention.dedupe_window
        while self._ids and (
            next(iter(self._ids.values()))[1] < window or len(self._ids) > self.retention.max_events
        ):
            self._ids.popitem(last=False)

    def _first(self) -> int:
        """n of the oldest event still held (one past the newest when empty)."""
        return int(self._items[0][1].position[-16:]) if self._items else self._last + 1

    def _after(self, n: int, limit: int) -> list[LoggedEvent]:
        start = max(n + 1 - self._first(), 0)
        newer = len(self._items) - start
        if 0 < newer <= limit:  # a live reader: the few newest, counted from the right end
            return [logged for _, logged in reversed(list(islice(reversed(self._items), newer)))]
        return [logged for _, logged in islice(self._items, start, start + limit)]

    async def read(self, after: EventPosition | None = None) -> AsyncGenerator[LoggedEvent, None]:
        n = self._number(after) if after is not None else self._last
        if n is None:
            n = 0  # a position of an earlier process: all of this one's events are newer
        while not self._closed:
            self._trim(self._clock())
            if n + 1 < self._first():
                self._missed += self._first() - n - 1
                n = self._first() - 1
            batch = self._after(n, BATCH)
            if not batch:
                await self._wake.wait()
                continue
            for logged in batch:
                n = int(logged.position[-16:])
                self._delivered += 1
                yield logged

    async def replay(self, after: EventPosition, *, limit: int) -> Replay:
        n = self._number(after)
        self._trim(self._clock())
        if n is None:  # the log restarted since: what it holds is newer, what it lost is unknown
            events = self._after(self._first() - 1, limit)
            return Replay(tuple(events), None, len(self._items) > limit)
        if n > self._last:
            raise EventPositionError("position is ahead of the event log", backend=BACKEND)
        missed = max(self._first() - n - 1, 0)
        events = self._after(n, limit + 1)
        return Replay(tuple(events[:limit]), missed, len(events) > limit)

    def status(self) -> EventLogStatus:
        return EventLogStatus(
            backend=BACKEND,
            connected=True,
            lag=0.0,
            reconnects=0,
            appended=self._appended,
            duplicates=self._duplicates,
            append_failures=0,
            delivered=self._delivered,
            missed=self._missed,
            durable=False,
        )
