"""A subscriber reads its events while its follow is set up (graph/domain/live_reader.py);
the hub writes the waiting follows' case routes together (graph/domain/live.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from graph.domain.adapters import Adapters
from graph.domain.errors import NotFoundError
from graph.domain.live import SETUPS_AT_ONCE, Follow, LiveHub
from graph.domain.live_reader import FollowingReader
from sources.base import ApplicationRecord, CaseRouteRecord, EventKind, EventRecord
from sources.events import InMemoryCaseRoutes, InMemoryLock
from sources.events.feed import EventFeed
from sources.events.logs import MemoryEventLog
from tests.unit.graph.domain.test_live_pollers import VIEWER, Mailbox


def hub(routes: InMemoryCaseRoutes | None = None, box: Mailbox | None = None) -> LiveHub:
    adapters = Adapters(postboxes={"koeln": box} if box else {})  # type: ignore[dict-item]
    return LiveHub(
        EventFeed(MemoryEventLog()),
        routes or InMemoryCaseRoutes(),
        InMemoryLock(),
        adapters,
        audience_key=b"k",
    )


def event(live: LiveHub, n: int) -> EventRecord:
    return EventRecord(f"e{n}", EventKind.INBOX_MESSAGE, live.audience("s-1"), "koeln", {"n": n})


async def test_events_arrive_while_the_follow_is_still_being_set_up() -> None:
    live = hub()
    await live.feed.start()
    stream = await live.subscribe(live.audience("s-1"))
    release = asyncio.Event()

    async def slow_set_up() -> Follow:
        await release.wait()
        return await live.follow(VIEWER, [], "key")

    reader = FollowingReader(live, stream, slow_set_up)
    await live.publish(event(live, 1))
    logged = await reader.next(5.0)
    assert logged is not None
    assert logged.event.id == "e1"
    release.set()
    assert await reader.next(5.0) is None  # the set-up finished: read on
    await live.publish(event(live, 2))
    logged = await reader.next(5.0)
    assert logged is not None
    assert logged.event.id == "e2"
    await reader.close()
    await live.feed.close()


async def test_once_set_up_the_reader_holds_the_follow_not_its_task() -> None:
    # An idle subscription lives for hours: the finished set-up task is not kept.
    box = Mailbox()
    live = hub(box=box)
    await live.feed.start()
    stream = await live.subscribe(live.audience("s-1"))
    reader = FollowingReader(
        live, stream, lambda: live.follow(VIEWER, [], "key", inboxes=["koeln"])
    )
    assert await reader.next(5.0) is None
    held = [getattr(reader, name) for name in reader.__slots__]
    assert not any(isinstance(value, asyncio.Task) for value in held)
    assert not hasattr(reader, "__dict__")
    assert len(live.pollers.watches) == 1
    await reader.close()  # unfollows with the follow it kept
    assert live.pollers.watches == {}
    await live.feed.close()


async def test_a_failed_set_up_ends_the_reading_with_its_error() -> None:
    live = hub()
    stream = await live.subscribe(live.audience("s-1"))

    async def failing() -> Follow:
        raise NotFoundError("No such application in your account.")

    reader = FollowingReader(live, stream, failing)
    with pytest.raises(NotFoundError):
        await reader.next(5.0)
    with pytest.raises(TimeoutError):
        await FollowingReader(live, stream, asyncio.Event().wait).next(0.01)  # type: ignore[arg-type]


async def test_leaving_during_the_set_up_leaves_no_watch_behind() -> None:
    box = Mailbox()
    box_gate = asyncio.Event()
    original = box.messages

    async def slow_messages(token: str) -> list:  # type: ignore[type-arg]
        await box_gate.wait()
        return await original(token)

    box.messages = slow_messages  # type: ignore[method-assign]
    live = hub(box=box)
    stream = await live.subscribe(live.audience("s-1"))
    reader = FollowingReader(
        live, stream, lambda: live.follow(VIEWER, [], "key", inboxes=["koeln"])
    )
    await asyncio.sleep(0.01)
    assert len(live.pollers.watches) == 1  # the baseline poll is waiting
    await reader.close()
    assert live.pollers.watches == {}


async def test_set_ups_run_a_few_at_a_time() -> None:
    live = hub()
    running = peak = 0

    async def set_up() -> Follow:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        return await live.follow(VIEWER, [], "key")

    readers = [
        FollowingReader(live, await live.subscribe(live.audience("s-1")), set_up)
        for _ in range(SETUPS_AT_ONCE + 12)
    ]
    for _ in range(200):
        if len(live.pollers.watches) == 0 and running == 0 and peak and finished(readers):
            break
        await asyncio.sleep(0.01)
    assert peak == SETUPS_AT_ONCE
    for reader in readers:
        await reader.close()


def finished(readers: list[FollowingReader]) -> bool:
    return all(r._setup is None or r._setup.done() for r in readers)


class CountingRoutes(InMemoryCaseRoutes):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[int] = []

    async def register_all(self, routes: Sequence[CaseRouteRecord]) -> int:
        await asyncio.sleep(0.05)  # the journal's fsync: more follows gather meanwhile
        self.writes.append(len(routes))
        return await super().register_all(routes)


def application(n: int) -> ApplicationRecord:
    return ApplicationRecord(
        portal_id="koeln",
        id=f"a{n}",
        case_id=f"case-{n}",
        submission_id=None,
        leika_key=None,
        service_name=None,
        reference=None,
        created_at=None,
        submitted_at=None,
        updated_at=None,
        payments=(),
    )


async def test_routes_of_follows_that_wait_together_are_written_together() -> None:
    routes = CountingRoutes()
    live = hub(routes)
    await live.start()
    await live.follow(VIEWER, [application(0)], "k0")
    await asyncio.sleep(0.01)  # the first write is under way
    for n in range(1, 6):
        await live.follow(VIEWER, [application(n), application(n + 10)], f"k{n}")
    await live.follow(VIEWER, [application(0)], "again")  # recorded a moment ago: skipped
    for _ in range(100):
        if sum(routes.writes) == 11:
            break
        await asyncio.sleep(0.02)
    assert routes.writes == [1, 10]
    assert [r["caseId"] for r in await routes.lookup("koeln", "case-13")] == ["case-13"]
    await live.stop()
