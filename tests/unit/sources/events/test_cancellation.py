"""A reader being cancelled stops, even when its client turns the cancellation into an error;
and a feed closes even when its reader never stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from sources.base import EventPosition, LoggedEvent
from sources.events import feed as feed_module
from sources.events._connection import reraise_cancellation
from sources.events.feed import EventFeed
from sources.events.logs import MemoryEventLog


async def _reader_whose_client_swallows_cancellation() -> None:
    while True:
        try:
            try:
                await asyncio.sleep(10)  # a blocking read
            except asyncio.CancelledError as exc:
                raise ConnectionError("connection closed") from exc  # what a client may do
        except ConnectionError as exc:
            reraise_cancellation(exc)  # without this line the loop retries forever


async def test_a_cancelled_reader_stops() -> None:
    task = asyncio.create_task(_reader_whose_client_swallows_cancellation())
    await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2)  # fails, not hangs, without the fix
    assert task in done
    assert task.cancelled()


async def test_an_error_outside_a_cancellation_is_left_alone() -> None:
    reraise_cancellation(ConnectionError("refused"))  # no cancellation pending: returns


class LogWhoseReadLosesTheCancel(MemoryEventLog):
    """A log whose blocking read swallows a cancellation entirely (a client that uncancels),
    ending only when the log is closed."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = asyncio.Event()

    async def read(self, after: EventPosition | None = None) -> AsyncGenerator[LoggedEvent, None]:
        while not self.closed.is_set():
            try:
                await self.closed.wait()
            except asyncio.CancelledError:
                current = asyncio.current_task()
                assert current is not None
                current.uncancel()  # lost, as a client library may lose it
        nothing: list[LoggedEvent] = []  # it yields nothing, but is an async generator
        for logged in nothing:
            yield logged


async def test_closing_a_feed_whose_reader_ignores_the_cancel_does_not_hang(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(feed_module, "CLOSE_WAIT", 0.2)
    log = LogWhoseReadLosesTheCancel()
    feed = EventFeed(log)
    await feed.start(wait=1.0)
    closing = asyncio.ensure_future(feed.close())
    done, _ = await asyncio.wait({closing}, timeout=2)  # before: waited for ever
    log.closed.set()  # the log's close ends the reader; its outcome is read, nothing left
    await asyncio.wait({closing}, timeout=2)
    assert closing in done
    assert "still running" in caplog.text
