from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence

import orjson
import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from graph.testing import free_port
from sources._cache_store import CacheEntry, MemoryCache, TieredCache
from sources._http import Upstream
from sources._record_codec import CODECS
from sources._redis_cache import RedisCache
from sources.base import (
    Capability,
    OrganisationRecord,
    PortalRecord,
    RegionRecord,
    ServicePageRecord,
    ServiceQuery,
    ServiceRecord,
    Tier,
    UpstreamRef,
)
from sources.cache import CachedServiceDirectory, CacheTtls
from sources.errors import SourceError, SourceUnavailableError
from sources.pvog import PvogDirectory
from tests.helpers.redis_server import redis_url
from tests.unit.sandbox.upstreams import Upstreams

PORTAL = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})
KOELN = "053150000000"
TTLS = CacheTtls(services=60, organisations=60, regions=60, max_stale=600)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def org(organisation_id: str) -> OrganisationRecord:
    return OrganisationRecord(
        "koeln", organisation_id, f"Amt {organisation_id}", None, (), *[None] * 6
    )


class FakeDirectory:
    """Counts calls; fails with `failure` when set; `delay` holds each call open."""

    def __init__(self) -> None:
        self.portal = PORTAL
        self.calls: list[tuple[str, object]] = []
        self.failure: SourceError | None = None
        self.delay = 0.0

    async def _answer(self, name: str, arg: object) -> None:
        self.calls.append((name, arg))
        await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]:
        await self._answer("search", query)
        return []

    async def service(self, service_id: str) -> ServiceRecord | None:
        await self._answer("service", service_id)
        return None

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]:
        await self._answer("organisations", tuple(ids))
        return {i: org(i) for i in ids if not i.startswith("unknown")}

    async def regions(self, text: str) -> list[RegionRecord]:
        await self._answer("regions", text)
        return [RegionRecord(KOELN, f"Köln {text}", "Kreisfreie Stadt", ("50667",))]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def upstream() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def cached(upstream: FakeDirectory, clock: Clock) -> CachedServiceDirectory:
    return CachedServiceDirectory(upstream, MemoryCache(100, clock=clock), TTLS, clock=clock)


def down() -> SourceUnavailableError:
    return SourceUnavailableError("down", upstream=UpstreamRef("koeln", Capability.SERVICES))


async def test_a_fresh_entry_answers_without_an_upstream_call(
    cached: CachedServiceDirectory, upstream: FakeDirectory, clock: Clock
) -> None:
    first = await cached.regions("Innenstadt")
    assert await cached.regions("Innenstadt") == first
    assert len(upstream.calls) == 1
    clock.now += 61
    await cached.regions("Innenstadt")
    assert len(upstream.calls) == 2, "past its TTL the entry is refreshed"


async def test_concurrent_identical_misses_share_one_upstream_call(
    cached: CachedServiceDirectory, upstream: FakeDirectory
) -> None:
    upstream.delay = 0.05
    query = ServiceQuery(KOELN, "Pass")
    results = await asyncio.gather(*(cached.search(query) for _ in range(20)))
    assert results == [[]] * 20
    assert upstream.calls == [("search", query)]


async def test_a_caller_giving_up_does_not_cancel_the_shared_call(
    cached: CachedServiceDirectory, upstream: FakeDirectory
) -> None:
    upstream.delay = 0.05
    impatient = asyncio.create_task(cached.regions("Porz"))
    patient = asyncio.create_task(cached.regions("Porz"))
    await asyncio.sleep(0.01)
    impatient.cancel()
    assert (await patient)[0].name == "Köln Porz"
    assert len(upstream.calls) == 1


async def test_stale_data_stands_in_for_a_failing_upstream_until_max_stale(
    cached: CachedServiceDirectory, upstream: FakeDirectory, clock: Clock
) -> None:
    fresh = await cached.regions("Ehrenfeld")
    clock.now += 120
    upstream.failure = down()
    assert await cached.regions("Ehrenfeld") == fresh
    assert cached.stale_served == 1
    assert len(upstream.calls) == 2, "the upstream is asked before stale data is served"
    clock.now += 600
    with pytest.raises(SourceUnavailableError):
        await cached.regions("Ehrenfeld")


async def test_a_failure_without_a_cached_copy_is_raised(
    cached: CachedServiceDirectory, upstream: FakeDirectory
) -> None:
    upstream.failure = down()
    with pytest.raises(SourceUnavailableError):
        await cached.search(ServiceQuery(KOELN))


async def test_a_missing_service_is_not_remembered(
    cached: CachedServiceDirectory, upstream: FakeDirectory
) -> None:
    assert await cached.service("L1") is None
    assert await cached.service("L1") is None
    assert len(upstream.calls) == 2


async def test_organisations_are_cached_one_by_one_and_only_misses_are_fetched(
    cached: CachedServiceDirectory, upstream: FakeDirectory, clock: Clock
) -> None:
    assert set(await cached.organisations(["a", "b"])) == {"a", "b"}
    assert set(await cached.organisations(["b", "c", "unknown-1"])) == {"b", "c"}
    assert upstream.calls == [
        ("organisations", ("a", "b")),
        ("organisations", ("c", "unknown-1")),
    ]
    clock.now += 120
    upstream.failure = down()
    assert set(await cached.organisations(["a", "b"])) == {"a", "b"}, "all stale: served"
    with pytest.raises(SourceUnavailableError):
        await cached.organisations(["a", "never-seen"])


def test_the_memory_store_is_a_bounded_lru_that_forgets_expired_entries(clock: Clock) -> None:
    store = MemoryCache(2, clock=clock)

    async def scenario() -> None:
        entry = CacheEntry("v", clock.now + 1, clock.now + 2)
        await store.set("pg1:regions:a:1", entry)
        await store.set("pg1:regions:a:2", entry)
        assert await store.get("pg1:regions:a:1") is entry  # now the most recent
        await store.set("pg1:regions:a:3", entry)
        assert await store.get("pg1:regions:a:2") is None
        clock.now += 2
        assert await store.get("pg1:regions:a:1") is None
        assert store.status() == {"backend": "memory", "entries": 1}

    asyncio.run(scenario())


@pytest.fixture(scope="module")
def sandbox_records() -> dict[str, object]:
    """Real records parsed from the sandbox's koeln directory, for codec round trips."""
    upstreams = Upstreams(citizens=5)

    async def load() -> dict[str, object]:
        async with upstreams.client("koeln", "services") as client:
            directory = PvogDirectory(
                PORTAL,
                Upstream(
                    client, str(client.base_url), ref=UpstreamRef("koeln", Capability.SERVICES)
                ),
            )
            found = await directory.search(ServiceQuery(KOELN))
            ids = sorted({i for s in found for i in s.organisation_ids})
            return {
                "search": found,
                "page": await directory.search_page(ServiceQuery(KOELN, size=5)),
                "service": found[0],
                "organisation": next(iter((await directory.organisations(ids)).values())),
                "regions": await directory.regions("Köln"),
            }

    return asyncio.run(load())


@pytest.mark.parametrize("kind", sorted(CODECS))
def test_every_cached_kind_survives_a_json_round_trip(
    kind: str, sandbox_records: dict[str, object]
) -> None:
    encode, decode = CODECS[kind]
    value = sandbox_records[kind]
    assert decode(orjson.loads(orjson.dumps(encode(value)))) == value


def unreachable_redis() -> RedisCache:
    client = redis.Redis(
        port=free_port(),
        socket_connect_timeout=0.05,
        socket_timeout=0.05,
        retry=Retry(NoBackoff(), 0),
    )
    return RedisCache(client, timeout=0.075, retry_interval=0.2)


async def test_a_dead_redis_is_bypassed_quickly_and_tried_again_later() -> None:
    store = unreachable_redis()
    started = time.monotonic()
    assert await store.get("pg1:regions:koeln:x") is None
    await store.set("pg1:regions:koeln:x", CacheEntry([], time.time() + 5, time.time() + 10))
    assert time.monotonic() - started < 0.3
    assert store.status() == {"backend": "redis", "redis": "down"}
    await asyncio.sleep(0.25)
    assert await store.get("pg1:regions:koeln:x") is None  # tried again, still down
    await store.client.aclose()


async def test_the_memory_level_keeps_answering_while_redis_is_down(clock: Clock) -> None:
    tiered = TieredCache(MemoryCache(10, clock=clock), unreachable_redis(), clock=clock)
    entry = CacheEntry(["x"], clock.now + 5, clock.now + 10)
    await tiered.set("pg1:regions:koeln:x", entry)
    assert await tiered.get("pg1:regions:koeln:x") == entry
    assert await tiered.get("pg1:regions:koeln:elsewhere") is None  # asks Redis, finds it down
    assert tiered.status() == {"backend": "redis", "redis": "down", "memoryEntries": 1}


@pytest.fixture
def real_redis() -> Iterator[str]:
    with redis_url() as url:
        yield url


@pytest.mark.redis
async def test_entries_go_through_redis_as_json(
    real_redis: str, sandbox_records: dict[str, object]
) -> None:
    client = redis.from_url(real_redis)
    store = RedisCache(client, timeout=0.5, retry_interval=1.0)
    now = time.time()
    entry = CacheEntry(sandbox_records["search"], now + 60, now + 120)
    await store.set("pg1:search:koeln:test", entry)
    raw = await client.get("pg1:search:koeln:test")
    assert raw is not None
    assert orjson.loads(raw)["s"] == entry.stale_until, "stored as JSON"
    assert 110 < await client.ttl("pg1:search:koeln:test") <= 120
    assert await store.get("pg1:search:koeln:test") == entry
    # Another replica's memory level picks the entry up from Redis.
    other = TieredCache(MemoryCache(10), RedisCache(client, timeout=0.5, retry_interval=1.0))
    assert await other.get("pg1:search:koeln:test") == entry
    await client.set("pg1:search:koeln:garbage", b"{not json")
    assert await store.get("pg1:search:koeln:garbage") is None
    await client.delete("pg1:search:koeln:test", "pg1:search:koeln:garbage")
    await client.aclose()


class PagedDirectory(FakeDirectory):
    """A directory that pages upstream (as the PVOG adapter does)."""

    async def search_page(self, query: ServiceQuery) -> ServicePageRecord:
        await self._answer("page", (query.page, query.size))
        return ServicePageRecord((), 1203, query.page, query.size)


async def test_search_pages_are_cached_by_page_and_size(clock: Clock) -> None:
    upstream = PagedDirectory()
    cached = CachedServiceDirectory(upstream, MemoryCache(100, clock=clock), TTLS, clock=clock)
    for page, size in ((0, 5), (1, 5), (0, 5), (0, 6), (1, 5)):
        answer = await cached.search_page(ServiceQuery(KOELN, "Pass", page=page, size=size))
        assert (answer.page, answer.size, answer.total) == (page, size, 1203)
    assert upstream.calls == [("page", (0, 5)), ("page", (1, 5)), ("page", (0, 6))]


async def test_a_directory_that_cannot_page_is_asked_once_for_its_whole_answer(
    cached: CachedServiceDirectory, upstream: FakeDirectory
) -> None:
    await cached.search_page(ServiceQuery(KOELN, "Pass", page=2, size=5))
    assert upstream.calls == [("search", ServiceQuery(KOELN, "Pass", page=0, size=500))]
