"""The durable event logs (Redis Streams, NATS JetStream) against real servers the test
starts, kills and restarts: ordering, de-duplication, resumption, outages, trimming."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from sources.base import EventLog, EventPosition, LoggedEvent, Retention
from sources.errors import EventLogUnavailableError, EventPositionError
from sources.events.feed import EventFeed
from sources.events.logs import RedisStreamLog
from tests.helpers.event_logs import BACKENDS, Backend, backend_server, event, eventually
from tests.helpers.redis_server import throwaway_redis


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    with backend_server(request.param) as server:
        try:
            yield server
        finally:
            await server.close()


async def collect(log: EventLog, after: EventPosition | None, count: int) -> list[LoggedEvent]:
    """The first `count` events read after `after`; fails after 20 s."""
    got: list[LoggedEvent] = []

    async def read() -> None:
        async for logged in log.read(after):
            got.append(logged)
            if len(got) == count:
                return

    await asyncio.wait_for(read(), 20)
    return got


async def append_when_back(log: EventLog, i: int, timeout: float = 15.0) -> EventPosition:
    """Append as a callback sender would: retry while the log is unavailable."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await log.append(event(i))
        except EventLogUnavailableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_positions_order_events_and_a_repeated_event_keeps_its_first_position(
    backend: Backend,
) -> None:
    log = await backend.log()
    first, second = await log.append(event(1)), await log.append(event(2))
    assert first < second
    assert await log.append(event(1)) == first  # a retried callback stores nothing new
    assert await log.head() == second
    status = log.status()
    assert (status.appended, status.duplicates, status.connected) == (2, 1, True)
    assert log.position(first) == first
    with pytest.raises(EventPositionError):
        log.position("not-a-position")


async def test_two_replicas_each_read_every_event_once_and_in_order(backend: Backend) -> None:
    writer, replica_a, replica_b = await backend.log(), await backend.log(), await backend.log()
    start = await writer.head()
    readers = [
        asyncio.create_task(collect(replica, start, 200)) for replica in (replica_a, replica_b)
    ]
    await asyncio.sleep(0.2)
    acknowledged = [await writer.append(event(i)) for i in range(200)]
    for reader in readers:
        got = await reader
        assert [g.position for g in got] == acknowledged
        assert [g.event.id for g in got] == [f"e{i}" for i in range(200)]


async def test_an_append_during_an_outage_fails_fast_and_succeeds_after_the_restart(
    backend: Backend,
) -> None:
    log = await backend.log(append_timeout=1.0)
    before = await log.append(event(1))
    backend.server.kill()
    for i in range(2, 5):
        started = time.monotonic()
        with pytest.raises(EventLogUnavailableError) as caught:
            await log.append(event(i))
        assert time.monotonic() - started < 1.5  # bounded by the append timeout
        assert caught.value.code == "EVENT_LOG_UNAVAILABLE"
    assert log.status().connected is False
    assert log.status().append_failures == 3
    await asyncio.to_thread(backend.server.start)
    after = await append_when_back(log, 5)
    assert after > before
    assert log.status().connected is True


async def test_a_reader_resumes_after_a_crash_and_misses_nothing_acknowledged(
    backend: Backend,
) -> None:
    writer, replica = await backend.log(), await backend.log()
    reader = asyncio.create_task(collect(replica, await writer.head(), 60))
    acknowledged = [await writer.append(event(i)) for i in range(30)]
    await backend.restart(crash=True)  # SIGKILL: only what the server already kept survives
    acknowledged += [await append_when_back(writer, i) for i in range(30, 60)]
    got = await reader
    assert [g.position for g in got] == acknowledged
    assert len({g.event.id for g in got}) == 60
    assert replica.status().reconnects >= 1
    assert replica.status().missed == 0


async def test_what_was_acknowledged_survives_a_crash_of_the_server(backend: Backend) -> None:
    log = await backend.log()
    origin = await log.head()
    acknowledged = [await log.append(event(i)) for i in range(100)]
    backend.server.kill()  # right after the last acknowledgement
    await asyncio.to_thread(backend.server.start)
    fresh = await backend.log()
    replay = await fresh.replay(origin, limit=1000)
    assert [e.position for e in replay.events] == acknowledged
    assert (replay.missed, replay.more) == (0, False)


async def test_a_client_resumes_from_its_position_through_the_feed(backend: Backend) -> None:
    log = await backend.log()
    positions = [await log.append(event(i, audience="a" if i % 2 else "b")) for i in range(10)]
    replay = await log.replay(positions[4], limit=3)
    assert [e.event.id for e in replay.events] == ["e5", "e6", "e7"]
    assert (replay.missed, replay.more) == (0, True)
    feed = EventFeed(log)
    await feed.start()
    try:
        subscription = await feed.subscribe("a", after=positions[4])
        await log.append(event(11, audience="a"))
        got = [await asyncio.wait_for(subscription.next(), 10) for _ in range(3)]
        # Only its own audience, the stored ones first, then the live one, each once.
        assert [g.event.id for g in got] == ["e5", "e7", "e9"]
        assert (await asyncio.wait_for(subscription.next(), 10)).event.id == "e11"
        assert subscription.missed == 0
    finally:
        await feed.close()


async def test_a_position_ahead_of_the_log_is_refused(backend: Backend) -> None:
    log = await backend.log()
    await log.append(event(1))
    ahead = "9999999999999-0000000000000001" if backend.name == "redis" else "9" * 20
    with pytest.raises(EventPositionError):
        await log.replay(log.position(ahead), limit=10)


async def test_trimming_by_length_keeps_the_newest_and_counts_what_a_resume_missed(
    backend: Backend,
) -> None:
    log = await backend.log(Retention(max_events=100))
    positions = [await log.append(event(i)) for i in range(400)]
    replay = await log.replay(positions[0], limit=1000)
    # Redis trims whole stream nodes (MAXLEN ~), so it may keep a few more than 100.
    assert 100 <= len(replay.events) <= 250
    assert replay.events[-1].position == positions[-1]
    assert replay.missed == 399 - len(replay.events)


async def test_trimming_by_age_drops_old_events(backend: Backend) -> None:
    log = await backend.log(Retention(max_age=1.0, dedupe_window=1.0))
    positions = [await log.append(event(i)) for i in range(5)]
    await asyncio.sleep(1.5)
    latest = await log.append(event(5))
    deadline = time.monotonic() + 10  # JetStream expires on a timer of its own
    while True:
        replay = await log.replay(positions[0], limit=100)
        if replay.missed == 4 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert [e.position for e in replay.events] == [latest]
    assert replay.missed == 4
    # Past the dedupe window, the same id is a new event.
    assert await log.append(event(1)) > latest


async def test_status_tells_durability_and_reconnects(backend: Backend) -> None:
    log = await backend.log()
    await eventually(lambda: log.status().durable is not None, 5)
    assert log.status().durable is True  # AOF + noeviction / file storage
    backend.server.kill()
    with pytest.raises(EventLogUnavailableError):
        await log.append(event(1))
    assert not log.status().connected
    await asyncio.sleep(0.3)
    assert log.status().lag >= 0.3  # a reader would be behind by as long as the outage lasts
    await asyncio.to_thread(backend.server.start)
    await append_when_back(log, 1)
    status = log.status()
    assert status.connected
    assert status.reconnects == 1
    assert status.backend == backend.name


async def test_the_first_append_after_a_restart_needs_no_retry_by_the_caller(
    backend: Backend,
) -> None:
    # Issue 19: a pooled connection that died with the server must not fail the next call.
    log = await backend.log()
    await log.append(event(1))
    await backend.restart(crash=True)
    await backend.until_appendable(await backend.log())  # the server answers again
    # JetStream's client reconnects in the background; Redis's pool on the next call.
    await eventually(lambda: log.status().connected)
    position = await log.append(event(2))  # raises if the pool handed out a dead connection
    assert position == await log.head()
    assert log.status().appended == 2


@pytest.mark.parametrize("name", ["redis-volatile", "redis-everysec"])
async def test_a_redis_that_may_lose_acknowledged_events_is_reported_as_not_durable(
    name: str,
) -> None:
    with backend_server(name) as backend:
        try:
            log = await backend.log()
            await eventually(lambda: log.status().durable is not None, 5)
            assert log.status().durable is False
        finally:
            await backend.close()


async def test_a_full_redis_refuses_appends_instead_of_evicting_events() -> None:
    with throwaway_redis(extra=("--maxmemory", "3mb")) as server:
        log = RedisStreamLog(server.url, Retention(max_events=10**6))
        await log.start()
        try:
            origin = await log.head()
            stored: list[EventPosition] = []
            refused: EventLogUnavailableError | None = None
            for i in range(100_000):
                try:
                    stored.append(await log.append(event(i, prefix="x" * 200)))
                except EventLogUnavailableError as exc:
                    refused = exc
                    break
            assert refused is not None
            assert "OutOfMemory" in str(refused)
            assert log.status().connected  # Redis answered: it is full, not gone
            assert len(stored) > 100
            replay = await log.replay(origin, limit=len(stored) + 10)
            assert [e.position for e in replay.events] == stored  # nothing evicted
        finally:
            await log.close()


async def test_an_entry_no_gateway_wrote_is_skipped_not_fatal(backend: Backend) -> None:
    log = await backend.log()
    start = await log.head()
    await log.append(event(1))
    if backend.name == "redis":
        import redis.asyncio as redis  # noqa: PLC0415 - only this test writes to Redis directly

        client = redis.Redis.from_url(backend.server.url)
        await client.xadd("{" + backend.namespace + "}", {"e": b"not json"})
        await client.aclose()
    else:
        import nats  # noqa: PLC0415 - only this test publishes to NATS directly

        connection = await nats.connect(backend.server.url)
        await connection.jetstream().publish(backend.namespace.lower(), b"not json")
        await connection.close()
    await log.append(event(2))
    got = await collect(log, start, 2)
    assert [g.event.id for g in got] == ["e1", "e2"]
    replay = await log.replay(start, limit=10)
    assert [e.event.id for e in replay.events] == ["e1", "e2"]
