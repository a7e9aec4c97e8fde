"""SQLite's hot reads (sources/journal/sqlite_reads.py) and its WAL switch.

The holdings read goes to the reader's own connection in one call, not through the
pool; a caller cancelled mid-read leaves no transaction open on it; and a file that
stays in rollback mode is named in a warning (the switch needs the file to itself).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from sources.journal import Journal, upgrade
from tests.unit.sources.journal.conftest import DRAFT, sqlite_url

HANG = pytest.mark.timeout(30)


@pytest.fixture
async def journal(tmp_path: Path) -> Any:
    url = sqlite_url(tmp_path)
    await upgrade(url)
    async with Journal.connect(url) as opened:
        yield opened


async def test_holdings_take_no_pooled_connection(journal: Journal) -> None:
    await journal.submissions.claim("s", "m1", "fp", DRAFT, owner="A", lease_seconds=5)
    checkouts: list[object] = []
    engine = journal.db.engine.sync_engine

    def checkout(*args: object) -> None:
        checkouts.append(args)

    event.listen(engine, "checkout", checkout)
    try:
        held = await journal.holdings("s")
    finally:
        event.remove(engine, "checkout", checkout)
    assert checkouts == []
    assert [e.client_mutation_id for e in held.entries] == ["m1"]
    assert held.entries[0].created_at.tzinfo is not None  # the Core type's processing
    assert [a.size for a in held.entries[0].attachments] == [1200, 3400]
    assert held.entries == tuple(await journal.entries("s"))


@HANG
async def test_a_cancelled_read_leaves_no_transaction_open(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    await journal.holdings("s")  # opens the reader
    reader = journal.db._reader
    assert reader is not None
    started, release = threading.Event(), threading.Event()
    read = reader._read

    def slow_read(batch: Any) -> Any:
        started.set()
        release.wait(10)
        return read(batch)

    monkeypatch.setattr(reader, "_read", slow_read)
    caller = asyncio.create_task(journal.holdings("s"))
    await asyncio.to_thread(started.wait, 10)
    caller.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    monkeypatch.setattr(reader, "_read", read)
    assert reader.opened  # one per reader thread that has read
    assert not any(conn.in_transaction for conn in reader.opened)
    await journal.submissions.claim("s", "m1", "fp", DRAFT, owner="A", lease_seconds=5)
    assert len((await journal.holdings("s")).entries) == 1  # sees the write after it


async def test_a_file_left_in_rollback_mode_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "journal.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN")
    holder.execute("SELECT * FROM t").fetchall()  # a read lock: the switch cannot happen
    caplog.set_level(logging.WARNING, logger="portalgraph.journal")
    try:  # a short busy timeout: the switch waits for it before SQLite answers "locked"
        async with Journal.connect(f"sqlite:///{path}", db_timeout=0.2) as journal:
            with pytest.raises(Exception):  # noqa: B017, PT011 - not migrated; only the log counts
                await journal.ensure_migrated()
    finally:
        holder.execute("COMMIT")
    warned = [r.getMessage() for r in caplog.records if r.name == "portalgraph.journal"]
    assert warned
    assert all("DELETE mode, not WAL" in m for m in warned)
    assert not any(str(tmp_path) in m for m in warned)
    caplog.clear()

    async with Journal.connect(f"sqlite:///{path}") as journal:  # the file to itself now
        with pytest.raises(Exception):  # noqa: B017, PT011 - not migrated; only the log counts
            await journal.ensure_migrated()
    holder.close()
    assert not [r for r in caplog.records if r.name == "portalgraph.journal"]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)
