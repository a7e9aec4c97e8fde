"""Live events as they travel between replicas, and the broker seams."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

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


class CaseRoutes(Protocol):
    """Which viewers follow a FIT-Connect case; callbacks carry only the case id."""

    async def register(
        self, portal_id: str, case_id: str, key: str, route: dict[str, Any]
    ) -> None: ...

    async def unregister(self, portal_id: str, case_id: str, key: str) -> None: ...

    async def lookup(self, portal_id: str, case_id: str) -> list[dict[str, Any]]: ...


class Lock(Protocol):
    """A lock with expiry, so only one replica polls an upstream resource at a time."""

    async def acquire(self, key: str, ttl: float) -> bool: ...
