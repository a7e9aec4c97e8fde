"""Live events as they travel between replicas: the durable event log and the broker seams."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any, NewType, Protocol

from sources.base.vocabulary import EventKind


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A normalised live event for one viewer, as it travels through the broker.

    `audience` is a keyed hash of the viewer's subject (never the subject itself);
    `id` is the de-duplication key; `data` is JSON-safe and carries no message bodies.
    """

    id: str
    kind: EventKind
    audience: str
    portal_id: str
    data: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "kind": self.kind.value,
                "audience": self.audience,
                "portalId": self.portal_id,
                "data": self.data,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> EventRecord:
        item = json.loads(raw)
        return cls(
            id=str(item["id"]),
            kind=EventKind(item["kind"]),
            audience=str(item["audience"]),
            portal_id=str(item["portalId"]),
            data=dict(item["data"]),
        )


class EventStream(Protocol):
    """One subscriber's bounded queue: the oldest events are dropped when it is full."""

    dropped: int

    async def next(self) -> EventRecord: ...

    def close(self) -> None: ...


class Broker(Protocol):
    """Publishes events once (de-duplicated by id) to every subscriber of their audience."""

    async def publish(self, event: EventRecord) -> bool: ...

    def subscribe(self, audience: str, *, max_queue: int) -> EventStream: ...


@dataclass(frozen=True, slots=True)
class CaseRouteRecord:
    """A viewer (`key`, pseudonymous) follows a case; `route` renders their events."""

    portal_id: str
    case_id: str
    key: str
    route: dict[str, Any]


class CaseRoutes(Protocol):
    """Which viewers follow a FIT-Connect case; callbacks carry only the case id."""

    async def register_all(self, routes: Sequence[CaseRouteRecord]) -> int:
        """Records the routes together; how many were written (unchanged ones may be skipped)."""
        ...

    async def lookup(self, portal_id: str, case_id: str) -> list[dict[str, Any]]: ...


class Lock(Protocol):
    """A lock with expiry, so only one replica polls an upstream resource at a time."""

    async def acquire(self, key: str, ttl: float) -> bool: ...


EventPosition = NewType("EventPosition", str)
"""Where an event sits in the log: opaque, and ordered like the log (plain string order).

It is the event id a client sees (`eventId`, SSE `id:`) and hands back to resume
(`after:`, `Last-Event-ID`). Only the log that issued it can interpret it.
"""


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as the log stored it, carrying its position."""

    position: EventPosition
    event: EventRecord


@dataclass(frozen=True, slots=True)
class Retention:
    """How long the log keeps events, and how long it recognises a repeated append.

    Events older than `max_age` seconds or beyond the newest `max_events` may be trimmed
    (trimming may lag a little behind either bound); a client can resume only from a
    position still inside. An append whose event id was stored within `dedupe_window`
    seconds is not stored again: the log answers with the first position.
    """

    max_age: float = 86_400.0
    max_events: int = 100_000
    dedupe_window: float = 900.0


@dataclass(frozen=True, slots=True)
class Replay:
    """What a resuming client missed: stored events after its position, oldest first.

    `missed` counts events after the position that the log had already trimmed (None:
    unknown, the log was emptied or restarted since); `more` says that `events` stopped at
    the limit and more follow the last one.
    """

    events: tuple[LoggedEvent, ...]
    missed: int | None
    more: bool


@dataclass(frozen=True, slots=True)
class EventLogStatus:
    """For readiness, /status and metrics; a snapshot, cheap to take.

    `connected`: the last exchange with the log's server succeeded. `lag`: seconds this
    process's reader is behind the log (0 while caught up; growing while disconnected).
    `durable`: whether the server is configured to keep what it acknowledged (Redis: AOF on
    and noeviction; JetStream: file storage); None while unknown.
    """

    backend: str
    connected: bool
    lag: float
    reconnects: int
    appended: int
    duplicates: int
    append_failures: int
    delivered: int
    missed: int
    durable: bool | None


class EventLog(Protocol):
    """A durable, replayable, append-only log of live events, shared by every replica."""

    async def start(self) -> None:
        """Connect in the background; returns at once, even while the server is down."""
        ...

    async def close(self) -> None: ...

    async def append(self, event: EventRecord) -> EventPosition:
        """Store the event; returns once it is durably stored.

        An event id stored within the dedupe window is not stored twice: its first
        position is returned. Raises EventLogUnavailableError, within the append timeout,
        when the event cannot be stored; the caller must then not acknowledge it.
        """
        ...

    async def head(self) -> EventPosition:
        """The newest event's position (the log's origin when empty): read from here for news.

        Raises EventLogUnavailableError when the log cannot be asked.
        """
        ...

    def read(self, after: EventPosition | None = None) -> AsyncGenerator[LoggedEvent, None]:
        """Every event after `after` (None: from head() when reading starts), until close().

        Survives outages: reconnects with backoff and resumes after the last event it
        yielded, so nothing retained is skipped or repeated. Events trimmed before they
        could be read are counted in status().missed.
        """
        ...

    async def replay(self, after: EventPosition, *, limit: int) -> Replay:
        """The stored events after `after`, for a client that resumes; at most `limit`.

        Raises EventPositionError for a position this log did not issue or that is ahead
        of it, EventLogUnavailableError when the log cannot be read.
        """
        ...

    def position(self, text: str) -> EventPosition:
        """`text` as a position of this log; EventPositionError when it cannot be one."""
        ...

    def status(self) -> EventLogStatus: ...
