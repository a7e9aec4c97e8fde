"""A reader being cancelled stops, even when its client turns the cancellation into an error."""

from __future__ import annotations

import asyncio

from sources.events._connection import reraise_cancellation


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
