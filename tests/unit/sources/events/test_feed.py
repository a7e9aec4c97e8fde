"""The per-replica feed: fan-out by audience, exactly once and in order per subscriber."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator

import pytest

from sources.base import EventKind, EventPosition, EventRecord, LoggedEvent, Replay, Retention
from sources.errors import EventLogUnavailableError, EventPositionError
from sources.events.feed import EventFeed, Subscription
from sources.events.logs import MemoryEventLog


def event(i: int, audience: str = "a", event_id: str | None = None) -> EventRecord:
    return EventRecord(event_id or f"e{i}", EventKind.PAYMENT_STATUS, audience, "bund", {"i": i})


async def take(subscription: Subscription, count: int) -> list[str]:
    return [(await asyncio.wait_for(subscription.next(), 1)).event.id for _ in range(count)]


async def nothing_more(subscription: Subscription) -> bool:
    try:
        await asyncio.wait_for(subscription.next(), 0.05)
    except TimeoutError:
        return True
    return False


@pytest.fixture
async def log() -> AsyncIterator[MemoryEventLog]:
    log = MemoryEventLog()
    yield log
    await log.close()


async def test_each_replica_delivers_every_event_of_an_audience_once_in_order(
    log: MemoryEventLog,
) -> None:
    replicas = [EventFeed(log), EventFeed(log)]
    for feed in replicas:
        await feed.start()
    subscriptions = [await feed.subscribe("a") for feed in replicas]
    other = await replicas[0].subscribe("b")
    for i in range(20):
        await log.append(event(i, audience="a" if i % 4 else "b"))
    expected = [f"e{i}" for i in range(20) if i % 4]
    for subscription in subscriptions:
        assert await take(subscription, len(expected)) == expected
        assert await nothing_more(subscription)
    assert await take(other, 5) == ["e0", "e4", "e8", "e12", "e16"]
    for feed in replicas:
        await feed.close()


async def test_a_second_copy_of_an_event_id_further_down_the_log_is_not_delivered() -> None:
    log = MemoryEventLog(Retention(dedupe_window=0))  # the log keeps both copies
    feed = EventFeed(log)
    await feed.start()
    subscription = await feed.subscribe("a")
    await log.append(event(1))
    await log.append(event(2, event_id="e1"))
    await log.append(event(3))
    assert await take(subscription, 2) == ["e1", "e3"]
    assert feed.duplicates == 1
    await feed.close()


async def test_a_slow_subscriber_loses_the_oldest_and_is_told(log: MemoryEventLog) -> None:
    feed = EventFeed(log)
    await feed.start()
    subscription = await feed.subscribe("a", max_queue=3)
    for i in range(5):
        await log.append(event(i))
    await asyncio.sleep(0)
    assert await take(subscription, 3) == ["e2", "e3", "e4"]
    assert subscription.dropped == 2
    await feed.close()


async def test_resuming_gives_the_stored_events_then_the_live_ones_without_gap_or_repeat(
    log: MemoryEventLog,
) -> None:
    positions = [await log.append(event(i)) for i in range(6)]
    feed = EventFeed(log)
    await feed.start()
    subscription = await feed.subscribe("a", after=positions[2])
    await log.append(event(6))
    assert await take(subscription, 4) == ["e3", "e4", "e5", "e6"]
    assert await nothing_more(subscription)
    assert subscription.missed == 0
    await feed.close()


class SlowReplayLog(MemoryEventLog):
    """Appends a live event while a replay is in flight, as another replica would."""

    async def replay(self, after: EventPosition, *, limit: int) -> Replay:
        await self.append(event(100))
        await asyncio.sleep(0.01)  # the feed reads e100 from the log meanwhile
        return await super().replay(after, limit=limit)


async def test_events_arriving_during_the_replay_come_once_after_it() -> None:
    log = SlowReplayLog()
    positions = [await log.append(event(i)) for i in range(3)]
    feed = EventFeed(log)
    await feed.start()
    subscription = await feed.subscribe("a", after=positions[0])
    assert await take(subscription, 3) == ["e1", "e2", "e100"]
    assert await nothing_more(subscription)
    await feed.close()


async def test_a_resume_past_the_buffer_says_how_many_events_are_gone() -> None:
    log = MemoryEventLog(Retention(max_events=3))
    positions = [await log.append(event(i)) for i in range(10)]
    feed = EventFeed(log)
    await feed.start()
    subscription = await feed.subscribe("a", after=positions[1])
    assert await take(subscription, 3) == ["e7", "e8", "e9"]
    assert subscription.missed == 5
    await feed.close()


async def test_a_resume_with_more_to_replay_than_the_feed_scans_says_missed_is_unknown() -> None:
    log = MemoryEventLog()
    positions = [await log.append(event(i)) for i in range(1200)]
    feed = EventFeed(log, replay_limit=600)
    await feed.start()
    subscription = await feed.subscribe("a", after=positions[0], max_queue=2000)
    assert subscription.missed is None
    assert (await subscription.next()).event.id == "e1"
    await feed.close()


async def test_a_bad_position_is_refused_and_leaves_no_subscription(
    log: MemoryEventLog,
) -> None:
    await log.append(event(1))
    feed = EventFeed(log)
    await feed.start()
    with pytest.raises(EventPositionError):
        await feed.subscribe("a", after=EventPosition("0-0"))
    assert feed.subscribers == 0
    await feed.close()


class FlakyLog(MemoryEventLog):
    """Unavailable for the first few questions, like a log still starting."""

    def __init__(self) -> None:
        super().__init__()
        self.refusals = 3

    async def head(self) -> EventPosition:
        if self.refusals:
            self.refusals -= 1
            raise EventLogUnavailableError("starting", backend="memory")
        return await super().head()

    async def read(self, after: EventPosition | None = None) -> AsyncGenerator[LoggedEvent, None]:
        async for logged in super().read(after):
            yield logged


async def test_the_feed_waits_for_a_log_that_is_down_at_start() -> None:
    log = FlakyLog()
    feed = EventFeed(log)
    await feed.start(wait=2)
    assert log.refusals == 0
    subscription = await feed.subscribe("a")
    await log.append(event(1))
    assert await take(subscription, 1) == ["e1"]
    await feed.close()


async def test_a_reader_cancelled_while_waiting_leaves_the_event_for_the_next(
    log: MemoryEventLog,
) -> None:
    # The waiter is one future per wait (no asyncio.Event): a reader cancelled while it
    # waits (the follow set-up finished first, graph/domain/live_reader.py) must not take
    # the waiter of the next read with it.
    feed = EventFeed(log)
    await feed.start()
    subscription = await feed.subscribe("a")
    waiting = asyncio.ensure_future(subscription.next())
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    reading = asyncio.ensure_future(subscription.next())
    await asyncio.sleep(0)
    await log.append(event(1))
    assert (await asyncio.wait_for(reading, 1)).event.id == "e1"
    assert not hasattr(subscription, "__dict__")  # slots: one of thousands of idle ones
    await feed.close()
