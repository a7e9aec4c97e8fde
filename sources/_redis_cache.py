"""The shared cache store on Redis, which the gateway may lose at any moment.

Every operation is bounded by a short timeout. A failure or timeout marks Redis
down for `retry_interval` seconds, during which the store answers "miss" without
asking; the first operation after that tries again and, if it works, Redis is back.
Values are JSON (the record codecs), never pickles.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from sources._cache_store import CacheEntry, kind_of
from sources._record_codec import CODECS

logger = logging.getLogger("portalgraph.cache")


class RedisCache:
    def __init__(
        self,
        client: redis.Redis,
        *,
        timeout: float,
        retry_interval: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.retry_interval = retry_interval
        self.clock = clock
        self._down_until: float | None = None

    @property
    def available(self) -> bool:
        return self._down_until is None

    async def get(self, key: str) -> CacheEntry | None:
        raw = await self._call(self.client.get, key)
        if not isinstance(raw, bytes | str):
            return None
        try:
            document = orjson.loads(raw)
            _, decode = CODECS[kind_of(key)]
            return CacheEntry(decode(document["v"]), document["f"], document["s"])
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, ValueError):
            logger.warning("ignoring an unreadable cache entry %s", key)
            return None

    async def set(self, key: str, entry: CacheEntry) -> None:
        lifetime = math.ceil(entry.stale_until - self.clock())
        if lifetime <= 0:
            return
        encode, _ = CODECS[kind_of(key)]
        document = {"v": encode(entry.value), "f": entry.fresh_until, "s": entry.stale_until}
        await self._call(self.client.set, key, orjson.dumps(document), ex=lifetime)

    def status(self) -> dict[str, object]:
        return {"backend": "redis", "redis": "up" if self.available else "down"}

    async def _call(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._down_until is not None:
            if self.clock() < self._down_until:
                return None
            logger.info("trying Redis again")
        try:
            async with asyncio.timeout(self.timeout):
                result = await operation(*args, **kwargs)
        except (RedisError, OSError, TimeoutError) as exc:
            if self._down_until is None:
                logger.warning(
                    "Redis unavailable (%s); answering without it, retrying in %.1f s",
                    type(exc).__name__,
                    self.retry_interval,
                )
            self._down_until = self.clock() + self.retry_interval
            return None
        if self._down_until is not None:
            logger.warning("Redis is back; using the shared cache again")
            self._down_until = None
        return result
