"""Rate limits per signed-in viewer and per client IP, counted in operations.

A batch of N operations or N operations over one WebSocket cost N, because the schema
extension runs once per operation, not once per HTTP request. Signed-in viewers are
limited by their pseudonymous subject (a shared NAT, e.g. a town hall, must not lock
out every citizen behind it); anonymous clients by IP.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from sources.base import ErrorCode

logger = logging.getLogger("portalgraph.ratelimit")
MAX_MEMORY_KEYS = 100_000

# GCRA in one round trip, on the server's clock so replicas agree. Returns the
# milliseconds to wait, 0 when the operation may run.
GCRA_SCRIPT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now_ms), now_ms)
local new_tat = tat + interval
local allowed_at = new_tat - interval * burst
if now_ms < allowed_at then return allowed_at - now_ms end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now_ms))
return 0
"""


class RateLimitedError(GraphQLError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many operations; try again in {retry_after} s.",
            extensions={"code": ErrorCode.RATE_LIMITED, "retryAfter": retry_after},
        )


class Limiter(Protocol):
    async def wait_time(self, key: str, per_minute: int) -> float:
        """Seconds until `key` may run another operation; 0 means now (and counts it)."""
        ...


class MemoryLimiter:
    """A token bucket per key in process memory: `per_minute` operations, bursts as large."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    async def wait_time(self, key: str, per_minute: int) -> float:
        now, rate = self.clock(), per_minute / 60
        tokens, stamp = self.buckets.get(key, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - stamp) * rate)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > MAX_MEMORY_KEYS:
                self._forget_full(now, rate, per_minute)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1 - tokens) / rate

    def _forget_full(self, now: float, rate: float, capacity: int) -> None:
        # A bucket that has refilled completely carries no information.
        for key, (tokens, stamp) in list(self.buckets.items()):
            if tokens + (now - stamp) * rate >= capacity:
                del self.buckets[key]


class RedisScripting(Protocol):
    def eval(self, script: str, numkeys: int, *keys_and_args: str | float) -> Awaitable[Any]: ...


class RedisLimiter:
    """GCRA shared by every replica; the client comes from the composition root."""

    def __init__(self, redis: RedisScripting, prefix: str = "portalgraph:rl:") -> None:
        self.redis = redis
        self.prefix = prefix
        self.fallback = MemoryLimiter()

    async def wait_time(self, key: str, per_minute: int) -> float:
        interval_ms = 60_000 / per_minute
        try:
            waited = await self.redis.eval(
                GCRA_SCRIPT, 1, self.prefix + key, interval_ms, per_minute
            )
        except Exception as exc:
            # Redis down must not take the gateway down: limit per process meanwhile.
            logger.warning("rate limiter falls back to memory: %s", type(exc).__name__)
            return await self.fallback.wait_time(key, per_minute)
        return float(waited) / 1000


class RateLimit(SchemaExtension):
    def __init__(
        self,
        limiter: Limiter,
        *,
        viewer_per_minute: int,
        anonymous_per_minute: int,
        pseudonym: Callable[[str], str],
    ) -> None:
        self.limiter = limiter
        self.viewer_per_minute = viewer_per_minute
        self.anonymous_per_minute = anonymous_per_minute
        self.pseudonym = pseudonym

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        viewer = getattr(context, "viewer", None)
        if viewer is not None:
            key, limit = "v:" + self.pseudonym(viewer.subject), self.viewer_per_minute
        else:
            client = getattr(getattr(context, "request", None), "client", None)
            key, limit = "ip:" + (client.host if client else "unknown"), self.anonymous_per_minute
        if limit > 0:
            wait = await self.limiter.wait_time(key, limit)
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                response = getattr(context, "response", None)
                if response is not None:
                    response.status_code = 429
                    response.headers["Retry-After"] = str(retry_after)
                raise RateLimitedError(retry_after)
        yield
