"""sources/journal/work.py without a database: who sees which error when a unit ends."""

from __future__ import annotations

import asyncio

import pytest

from sources.journal import JournalUnavailableError
from sources.journal.work import Units

HANG = pytest.mark.timeout(10)  # a unit that never ends would hang instead of failing


@HANG
async def test_a_unit_cancelled_by_closing_is_an_unavailable_journal_to_its_caller() -> None:
    units = Units(drain_seconds=0.05)
    started = asyncio.Event()

    async def outlasting() -> None:
        started.set()
        await asyncio.sleep(60)  # longer than the drain time: close() cancels it

    caller = asyncio.create_task(units.run(outlasting()))
    await started.wait()
    await units.close()
    # The caller was not cancelled: a CancelledError would pass every handler that
    # translates journal failures and end its request untyped.
    with pytest.raises(JournalUnavailableError, match="closed"):
        await caller
    assert not caller.cancelled()


@HANG
async def test_a_cancelled_caller_still_sees_its_own_cancellation() -> None:
    units = Units(drain_seconds=1)
    started, finish = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def short() -> None:
        started.set()
        await finish.wait()
        finished.append("unit")

    caller = asyncio.create_task(units.run(short()))
    await started.wait()
    caller.cancel()
    await asyncio.sleep(0)
    finish.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished == ["unit"]  # the unit ran to its end before the caller left
