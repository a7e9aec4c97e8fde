"""Migrations: empty → head → base → head, the schema they build equals tables.py, and the
gateway's start-up check names the command that fixes an unmigrated database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from sources.journal import (
    Journal,
    JournalNotMigratedError,
    current,
    downgrade,
    head,
    journal_url,
    migrate,
    upgrade,
)
from sources.journal.migrate import VERSION_TABLE
from sources.journal.tables import metadata
from tests.helpers.postgres import fresh_database
from tests.unit.sources.journal.conftest import BACKENDS, sqlite_url

TABLES = {t.name for t in metadata.sorted_tables}


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no migration has touched."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_database("portalgraph_migrate") as url:
        yield url


async def tables(url: str) -> set[str]:
    engine = create_async_engine(journal_url(url))
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def drift(url: str) -> list[object]:
    def compare(sync: Connection) -> list[object]:
        context = MigrationContext.configure(
            sync, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return list(compare_metadata(context, metadata))

    engine = create_async_engine(journal_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def test_empty_to_head_to_base_and_back(empty_url: str) -> None:
    assert await current(empty_url) is None
    assert not (await tables(empty_url)) & TABLES
    assert await upgrade(empty_url) == head() == "0001"
    assert await current(empty_url) == "0001"
    assert await tables(empty_url) >= TABLES | {"journal_version"}
    await downgrade(empty_url, "base")
    assert await current(empty_url) is None
    assert not (await tables(empty_url)) & TABLES
    await upgrade(empty_url)
    assert await current(empty_url) == head()
    assert await tables(empty_url) >= TABLES


async def test_the_migrated_schema_equals_the_tables_the_code_uses(empty_url: str) -> None:
    await upgrade(empty_url)
    assert await drift(empty_url) == []


async def test_an_unmigrated_database_is_refused_naming_the_command(empty_url: str) -> None:
    async with Journal.connect(empty_url) as journal:
        with pytest.raises(JournalNotMigratedError, match="portalgraph migrate") as caught:
            await journal.ensure_migrated()
        assert (caught.value.current, caught.value.expected) == (None, head())
        assert "no journal schema" in str(caught.value)
    await upgrade(empty_url)
    async with Journal.connect(empty_url) as journal:
        await journal.ensure_migrated()


async def test_migrations_started_at_once_take_turns(empty_url: str) -> None:
    await asyncio.gather(*(upgrade(empty_url) for _ in range(3)))
    assert await current(empty_url) == head()
    assert await drift(empty_url) == []
    if empty_url.startswith("sqlite"):
        with sqlite3.connect(empty_url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_a_fresh_sqlite_file_another_connection_holds_still_opens(tmp_path: Path) -> None:
    # Switching a file to WAL needs it to itself: a connection that finds it busy (another
    # one's transaction, or its first connections racing to switch it) goes on without.
    url = sqlite_url(tmp_path)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("CREATE TABLE other (a INTEGER)")
        holder.execute("BEGIN")
        holder.execute("SELECT * FROM other").fetchall()
        async with Journal.connect(url, db_timeout=0.2) as journal:
            await journal.ping()
    finally:
        holder.close()
    assert await upgrade(url) == head()  # the next connection switches it
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_an_older_revision_is_refused(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upgrade(empty_url)
    monkeypatch.setattr(migrate, "head", lambda: "0002")  # as the next release will see it
    async with Journal.connect(empty_url) as journal:
        with pytest.raises(JournalNotMigratedError, match="revision 0001; this release needs"):
            await journal.ensure_migrated()


async def test_a_newer_releases_schema_is_left_alone_for_a_rollback(empty_url: str) -> None:
    await upgrade(empty_url)
    async with Journal.connect(empty_url) as journal, journal.db.engine.begin() as conn:
        await conn.execute(text("UPDATE journal_version SET version_num = 'f00d'"))
    assert await upgrade(empty_url) == "f00d"  # the older release's init container: no-op
    assert await current(empty_url) == "f00d"
    async with Journal.connect(empty_url) as journal:
        assert await journal.ensure_migrated() == "f00d"
