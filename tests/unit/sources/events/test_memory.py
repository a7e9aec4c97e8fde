"""The in-process ring buffer: the embedded default behind the same EventLog contract."""

from __future__ import annotations

import asyncio

import pytest

from sources.base import EventKind, EventLog, EventRecord, LoggedEvent, Retention
from sources.errors import EventPositionError
from sources.events.logs import MemoryEventLog


def event(i: int, audience: str = "a") -> EventRecord:
    return EventRecord(f"e{i}", EventKind.INBOX_MESSAGE, audience, "koeln", {"i": i})


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_it_satisfies_the_event_log_protocol() -> None:
    log: EventLog = MemoryEventLog()
    assert (await log.head()).endswith("0" * 16)  # the origin while empty
    assert log.status().durable is False


async def test_appends_are_ordered_and_an_event_id_is_stored_once() -> None:
    log = MemoryEventLog()
    first, second = await log.append(event(1)), await log.append(event(2))
    assert first < second
    assert await log.append(event(1)) == first
    assert (log.status().appended, log.status().duplicates) == (2, 1)
    assert await log.head() == second


async def test_read_resumes_after_a_position_and_then_waits_for_news() -> None:
    log = MemoryEventLog()
    positions = [await log.append(event(i)) for i in range(5)]
    got: list[LoggedEvent] = []

    async def read() -> None:
        async for logged in log.read(positions[1]):
            got.append(logged)
            if len(got) == 4:
                return

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.01)
    assert [g.event.id for g in got] == ["e2", "e3", "e4"]
    await log.append(event(5))
    await asyncio.wait_for(reader, 1)
    assert [g.event.id for g in got] == ["e2", "e3", "e4", "e5"]


async def test_replay_pages_and_reports_what_trimming_by_length_took() -> None:
    log = MemoryEventLog(Retention(max_events=5))
    positions = [await log.append(event(i)) for i in range(10)]
    replay = await log.replay(positions[2], limit=3)
    # e3 and e4 are gone (only e5..e9 are held); the page stops at the limit.
    assert [e.event.id for e in replay.events] == ["e5", "e6", "e7"]
    assert (replay.missed, replay.more) == (2, True)
    tail = await log.replay(replay.events[-1].position, limit=3)
    assert ([e.event.id for e in tail.events], tail.missed, tail.more) == (["e8", "e9"], 0, False)


async def test_trimming_by_age_and_the_dedupe_window_follow_the_clock() -> None:
    clock = Clock()
    log = MemoryEventLog(Retention(max_age=60, dedupe_window=30), clock=clock)
    old = await log.append(event(1))
    clock.now += 61
    new = await log.append(event(2))
    replay = await log.replay(old, limit=10)
    assert ([e.position for e in replay.events], replay.missed) == ([new], 0)
    assert await log.append(event(1)) > new  # past the window: a new event


async def test_a_reader_that_fell_behind_the_buffer_counts_what_it_missed() -> None:
    log = MemoryEventLog(Retention(max_events=3))
    start = await log.head()
    for i in range(10):
        await log.append(event(i))
    reader = log.read(start)
    assert (await anext(reader)).event.id == "e7"
    assert log.status().missed == 7


async def test_positions_of_another_log_or_ahead_of_it_are_refused() -> None:
    log = MemoryEventLog()
    await log.append(event(1))
    with pytest.raises(EventPositionError):
        log.position("1")
    ahead = (await log.head())[:-1] + "9"
    with pytest.raises(EventPositionError):
        await log.replay(log.position(ahead), limit=10)


async def test_a_position_of_an_earlier_process_replays_all_with_missed_unknown() -> None:
    earlier = MemoryEventLog(clock=lambda: 1_700_000_000.0)
    position = await earlier.append(event(1))
    log = MemoryEventLog(clock=lambda: 1_700_000_100.0)
    await log.append(event(2))
    replay = await log.replay(log.position(position), limit=10)
    assert ([e.event.id for e in replay.events], replay.missed) == (["e2"], None)


async def test_close_ends_readers() -> None:
    log = MemoryEventLog()

    async def read() -> list[LoggedEvent]:
        return [logged async for logged in log.read()]

    reader = asyncio.create_task(read())
    await asyncio.sleep(0)
    await log.close()
    assert await asyncio.wait_for(reader, 1) == []
