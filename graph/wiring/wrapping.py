"""How the composition root wraps adapters: per-upstream guards and policy, the public-data cache.

The cache is in memory, or tiered over Redis when `PORTALGRAPH_REDIS_URL` is set; only
directories (public data) are cached, never a citizen's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from graph.settings import Settings
from sources._cache_store import CacheStore, MemoryCache, TieredCache
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._policy import UpstreamPolicy
from sources._redis_cache import RedisCache
from sources._resilience import UpstreamGuards
from sources.base import ServiceDirectory
from sources.cache import CachedServiceDirectory, CacheTtls


@dataclass(frozen=True, slots=True)
class Wrapping:
    """How adapters are wrapped: per-upstream guards and policy, the public-data cache."""

    guards: UpstreamGuards = field(default_factory=UpstreamGuards)
    policy: UpstreamPolicy = field(default_factory=UpstreamPolicy)
    cache: CacheStore | None = None
    ttls: CacheTtls = field(default_factory=CacheTtls)

    def directory(self, directory: ServiceDirectory) -> ServiceDirectory:
        if self.cache is None:
            return directory
        return CachedServiceDirectory(directory, self.cache, self.ttls)


def build_wrapping(
    settings: Settings,
    stack: contextlib.AsyncExitStack,
    observer: UpstreamObserver = NO_OBSERVER,
) -> Wrapping:
    guards = UpstreamGuards(observer)
    upstream, cached = settings.upstream, settings.cache
    policy = UpstreamPolicy(
        retries=upstream.retries,
        max_concurrency=upstream.max_concurrency,
        breaker_failures=upstream.breaker_failures,
        breaker_reset=upstream.breaker_reset,
    )
    ttls = CacheTtls(
        services=cached.ttl_services,
        organisations=cached.ttl_organisations,
        regions=cached.ttl_regions,
        max_stale=cached.max_stale,
    )
    if not cached.enabled:
        return Wrapping(guards, policy=policy, ttls=ttls)
    cache: CacheStore = MemoryCache(cached.max_entries)
    if settings.server.redis_url:
        # Its own client: a cache lookup gives up after redis_timeout and never retries,
        # where the event broker's client may wait longer.
        client = redis.from_url(
            settings.server.redis_url,
            socket_timeout=cached.redis_timeout,
            socket_connect_timeout=cached.redis_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        stack.push_async_callback(client.aclose)
        shared = RedisCache(
            client, timeout=cached.redis_timeout, retry_interval=cached.redis_retry_interval
        )
        cache = TieredCache(MemoryCache(cached.max_entries), shared)
    return Wrapping(guards, policy=policy, cache=cache, ttls=ttls)
