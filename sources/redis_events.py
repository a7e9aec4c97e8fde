"""The event Protocols across replicas, on Redis: pub/sub, SET NX de-duplication, hashes, locks.

One pub/sub connection per process (pattern subscription) feeds the local fan-out;
the reader reconnects by itself after a Redis restart. Events published while
Redis was down cannot be delivered (pub/sub has no replay): `publish` raises, so
a callback is answered with an error and the upstream retries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from sources.base import Capability, EventRecord, UpstreamRef
from sources.errors import SourceUnavailableError
from sources.events import LocalFanout, Queue

logger = logging.getLogger("portalgraph.events")
PREFIX = "portalgraph"
SEEN_TTL = 86_400
ROUTE_TTL = 86_400
BROKER = UpstreamRef("redis", Capability.STATUS)


class RedisBroker:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.fanout = LocalFanout()
        self.published = 0
        self.duplicates = 0
        self._reader: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read_forever(), name="portalgraph-events")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def publish(self, event: EventRecord) -> bool:
        seen = f"{PREFIX}:seen:{event.id}"
        try:
            if not await self.client.set(seen, "1", nx=True, ex=SEEN_TTL):
                self.duplicates += 1
                return False
        except (RedisError, OSError) as exc:
            raise SourceUnavailableError("event broker unavailable", upstream=BROKER) from exc
        try:
            await self.client.publish(f"{PREFIX}:events:{event.audience}", event.to_json())
        except (RedisError, OSError) as exc:
            # Not delivered: forget the id, or the upstream's retry would count as a duplicate.
            with contextlib.suppress(RedisError, OSError):
                await self.client.delete(seen)
            raise SourceUnavailableError("event broker unavailable", upstream=BROKER) from exc
        self.published += 1
        return True

    def subscribe(self, audience: str, *, max_queue: int) -> Queue:
        return self.fanout.add(audience, max_queue)

    async def _read_forever(self) -> None:
        delay = 0.1
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(f"{PREFIX}:events:*")
                self.connected.set()
                delay = 0.1
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self._deliver(message["data"])
            except (RedisError, OSError) as exc:
                self.connected.clear()
                logger.warning("event subscription lost (%s); reconnecting", type(exc).__name__)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _deliver(self, raw: Any) -> None:
        try:
            self.fanout.deliver(EventRecord.from_json(raw))
        except (ValueError, KeyError, TypeError):
            logger.warning("dropped an unreadable event from Redis")


class RedisCaseRoutes:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    async def register(self, portal_id: str, case_id: str, key: str, route: dict[str, Any]) -> None:
        name = f"{PREFIX}:routes:{portal_id}:{case_id}"
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(name, key, json.dumps(route))
            pipe.expire(name, ROUTE_TTL)
            await pipe.execute()

    async def unregister(self, portal_id: str, case_id: str, key: str) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self.client.hdel(f"{PREFIX}:routes:{portal_id}:{case_id}", key)

    async def lookup(self, portal_id: str, case_id: str) -> list[dict[str, Any]]:
        try:
            values = await self.client.hvals(f"{PREFIX}:routes:{portal_id}:{case_id}")
        except (RedisError, OSError) as exc:
            raise SourceUnavailableError("route registry unavailable", upstream=BROKER) from exc
        return [json.loads(v) for v in values]


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
