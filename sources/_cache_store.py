"""Where cached public data lives: process memory, optionally in front of Redis.

Entries carry wall-clock times (`fresh_until`, `stale_until`) so replicas sharing
Redis agree on freshness. A store forgets an entry once it is past `stale_until`.
Keys look like `pg1:<kind>:<portal>:<digest>`; the kind picks the record codec.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CacheEntry:
    value: object
    fresh_until: float
    stale_until: float


class CacheStore(Protocol):
    """A key-value store for public data. It never raises: a broken store is a miss."""

    async def get(self, key: str) -> CacheEntry | None: ...

    async def set(self, key: str, entry: CacheEntry) -> None: ...

    def status(self) -> dict[str, object]: ...


def kind_of(key: str) -> str:
    return key.split(":", 2)[1]


class MemoryCache:
    """A bounded LRU in this process; the default store, and the first level in front of Redis."""

    def __init__(self, max_entries: int, *, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, CacheEntry] = OrderedDict()

    async def get(self, key: str) -> CacheEntry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stale_until <= self.clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    async def set(self, key: str, entry: CacheEntry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def status(self) -> dict[str, object]:
        return {"backend": "memory", "entries": len(self._entries)}


class TieredCache:
    """Memory first, then a shared store; writes go to both.

    The memory level keeps answering (and keeps stale copies for stale-on-error)
    while the shared store is down; entries from the shared store are copied into
    memory so a replica asks it once per key and TTL.
    """

    def __init__(
        self, local: MemoryCache, shared: CacheStore, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.local = local
        self.shared = shared
        self.clock = clock

    async def get(self, key: str) -> CacheEntry | None:
        entry = await self.local.get(key)
        if entry is not None and entry.fresh_until > self.clock():
            return entry
        remote = await self.shared.get(key)
        if remote is not None and (entry is None or remote.fresh_until > entry.fresh_until):
            await self.local.set(key, remote)
            return remote
        return entry

    async def set(self, key: str, entry: CacheEntry) -> None:
        await self.local.set(key, entry)
        await self.shared.set(key, entry)

    def status(self) -> dict[str, object]:
        return {**self.shared.status(), "memoryEntries": self.local.status()["entries"]}
