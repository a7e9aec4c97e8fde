"""Cancellation never strands a pooled connection: a caller cancelled mid-query (a client
that leaves while its subscription is being set up) and a journal closed while an
operation is in flight both return every connection to a live pool, so the collector
never finds one unclosed (aiosqlite and asyncpg both warn with a ResourceWarning then).

A second connection outside the journal holds a lock, so the journal's statement is
really waiting in the database when the caller is cancelled or the journal closes.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from sources.journal import Journal, JournalUnavailableError, journal_url
from tests.unit.sources.journal.conftest import Clock

Release = Callable[[], Awaitable[None]]
BLOCKED = 0.3  # seconds: long enough for the statement to reach the database's lock
HANG = pytest.mark.timeout(30)  # a unit that never ends would hang instead of failing


@asynccontextmanager
async def lock_held(database_url: str) -> AsyncIterator[Release]:
    """Holds the write lock (SQLite) or a lock on case_routes (PostgreSQL) until released."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        blocker = sqlite3.connect(str(url.database), isolation_level=None, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")

        async def release_sqlite() -> None:
            if blocker.in_transaction:
                blocker.execute("ROLLBACK")

        try:
            yield release_sqlite
        finally:
            await release_sqlite()
            blocker.close()
        return
    engine = create_async_engine(journal_url(database_url))
    holder = await engine.connect()
    transaction = await holder.begin()
    await holder.execute(text("LOCK TABLE case_routes IN ACCESS EXCLUSIVE MODE"))

    async def release_postgres() -> None:
        if transaction.is_active:
            await transaction.rollback()

    try:
        yield release_postgres
    finally:
        await release_postgres()
        await holder.close()
        await engine.dispose()


def unclosed_connections() -> list[str]:
    """The ResourceWarnings a full collection raises: each one is a stranded connection."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


@HANG
async def test_a_caller_cancelled_mid_query_returns_its_connection_to_the_pool(
    database_url: str, clock: Clock
) -> None:
    async with Journal.connect(database_url, clock=clock) as journal:
        pool = journal.db.engine.pool
        await journal.routes.lookup("fitconnect", "case-1")  # one pooled connection
        idle = pool.checkedin()  # type: ignore[attr-defined]
        async with lock_held(database_url) as release:
            caller = asyncio.create_task(
                journal.routes.upsert("fitconnect", "case-1", "s", "aud", {"caseId": "case-1"})
            )
            await asyncio.sleep(BLOCKED)
            caller.cancel()
            await asyncio.sleep(BLOCKED)
            # The caller waits for its unit of work instead of abandoning it in the driver.
            assert not caller.done()
            await release()
            with pytest.raises(asyncio.CancelledError):
                await caller
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        assert pool.checkedin() == idle  # type: ignore[attr-defined]
        # The unit ran to its end (here: committed), and the pool's connection still works.
        assert [r.case_id for r in await journal.routes.for_subject("s")] == ["case-1"]
    assert unclosed_connections() == []


@HANG
async def test_closing_the_journal_waits_for_an_operation_in_flight(
    database_url: str, clock: Clock
) -> None:
    async def serve_then_close() -> tuple[Journal, asyncio.Task[None]]:
        async with Journal.connect(database_url, clock=clock) as journal:
            operation = asyncio.create_task(
                journal.routes.upsert("fitconnect", "case-2", "s", "aud", {"caseId": "case-2"})
            )
            await asyncio.sleep(BLOCKED)
        return journal, operation

    async with lock_held(database_url) as release:
        closing = asyncio.create_task(serve_then_close())
        await asyncio.sleep(2 * BLOCKED)
        assert not closing.done()  # the engine is not disposed under the operation
        await release()
        journal, operation = await closing
    assert operation.done()
    assert operation.exception() is None
    # A closed journal refuses new work instead of opening connections nobody disposes.
    with pytest.raises(JournalUnavailableError):
        await journal.routes.lookup("fitconnect", "case-2")
    assert unclosed_connections() == []
    async with Journal.connect(database_url, clock=clock) as reopened:
        assert [r.case_id for r in await reopened.routes.for_subject("s")] == ["case-2"]


async def test_database_access_outside_a_unit_of_work_is_refused(journal: Journal) -> None:
    with pytest.raises(RuntimeError, match="outside a unit of work"):
        journal.db.read()
    with pytest.raises(RuntimeError, match="outside a unit of work"):
        async with journal.db.write():
            pass
