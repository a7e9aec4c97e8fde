"""The poll lock across replicas, on Redis (SET NX PX).

Events no longer travel over Redis pub/sub, which lost what was published while a
replica reconnected (issue 19): they go through the durable event log (sources/events/),
and case routes live in the journal's database (graph/domain/live_routes.py).
"""

from __future__ import annotations

import redis.asyncio as redis
from redis.exceptions import RedisError

PREFIX = "portalgraph"


class RedisLock:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    async def acquire(self, key: str, ttl: float) -> bool:
        try:
            return bool(
                await self.client.set(f"{PREFIX}:lock:{key}", "1", nx=True, px=int(ttl * 1000))
            )
        except (RedisError, OSError):
            # Without Redis nobody can coordinate; polling twice beats not polling (ids de-duplicate).
            return True
