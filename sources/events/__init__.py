"""Live events. The durable event log: `logs.py` (a backend by URL) and `feed.py` (each
replica's reader and fan-out), see docs/live-updates-delivery.md.

Below, the in-process case routes and poll lock of a single process (`sources.redis_events`
has the Redis lock; case routes live in the journal's database: graph/domain/live_routes.py).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any


class InMemoryCaseRoutes:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)

    async def register(self, portal_id: str, case_id: str, key: str, route: dict[str, Any]) -> None:
        self._routes[(portal_id, case_id)][key] = route

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
