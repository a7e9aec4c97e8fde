"""Live events. The durable event log: `logs.py` (a backend by URL) and `feed.py` (each
replica's reader and fan-out), see docs/live-updates-delivery.md.

Below, the in-process case routes and poll lock of a single process (`sources.redis_events`
has the Redis lock; case routes live in the journal's database: graph/domain/live_routes.py).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sources.base import CaseRouteRecord


class InMemoryCaseRoutes:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)

    async def register_all(self, routes: Sequence[CaseRouteRecord]) -> int:
        for r in routes:
            self._routes[(r.portal_id, r.case_id)][r.key] = r.route
        return len(routes)

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
