"""The poll lock across replicas, on Redis (SET NX PX), and a Redis client that heals itself.

Events no longer travel over Redis pub/sub, which lost what was published while a
replica reconnected (issue 19): they go through the durable event log (sources/events/),
and case routes live in the journal's database (graph/domain/live_routes.py).
"""

from __future__ import annotations

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
    RedisError,
    TimeoutError as RedisTimeoutError,
)

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


def healing_client(url: str, *, timeout: float = 2.0) -> redis.Redis:
    """A client that heals itself: a connection Redis dropped (a restart) is retried once on a
    fresh one, and idle connections are checked before use (issue 19 #5: the first
    subscription after a Redis restart failed on a stale pooled connection)."""
    return redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=5,
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), 1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, ConnectionResetError],
    )
