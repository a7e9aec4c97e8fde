"""Event positions (monotonic per case) and the seen-set (first time only)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sources.journal import Journal
from tests.unit.sources.journal.conftest import Clock


async def test_a_position_only_moves_forward(journal: Journal) -> None:
    assert await journal.positions.position("fitconnect", "case-1") is None
    assert await journal.positions.advance("fitconnect", "case-1", 3, "event-3") is True
    assert await journal.positions.advance("fitconnect", "case-1", 2, "event-2") is False
    assert await journal.positions.advance("fitconnect", "case-1", 3, "event-3") is False
    found = await journal.positions.position("fitconnect", "case-1")
    assert found is not None
    assert (found.position, found.event_id) == (3, "event-3")
    assert await journal.positions.advance("fitconnect", "case-1", 7, "event-7") is True
    found = await journal.positions.position("fitconnect", "case-1")
    assert found is not None
    assert (found.position, found.event_id) == (7, "event-7")
    assert await journal.positions.position("fitconnect", "case-2") is None


async def test_concurrent_advances_keep_the_highest(journal: Journal) -> None:
    await asyncio.gather(
        *(journal.positions.advance("p", "c", n, f"e{n}") for n in (5, 9, 2, 8, 1))
    )
    found = await journal.positions.position("p", "c")
    assert found is not None
    assert found.position == 9


async def test_an_event_is_seen_the_first_time_only(journal: Journal) -> None:
    assert await journal.positions.mark_seen("jti-1") is True
    assert await journal.positions.mark_seen("jti-1") is False
    assert await journal.positions.mark_seen("jti-2") is True
    outcomes = await asyncio.gather(*(journal.positions.mark_seen("jti-3") for _ in range(5)))
    assert sorted(outcomes) == [False, False, False, False, True]


async def test_seen_ids_are_purged_by_age(journal: Journal, clock: Clock) -> None:
    await journal.positions.mark_seen("old")
    clock.advance(3600)
    await journal.positions.mark_seen("new")
    assert await journal.positions.purge_seen(timedelta(minutes=30)) == 1
    assert await journal.positions.mark_seen("old") is True
    assert await journal.positions.mark_seen("new") is False
