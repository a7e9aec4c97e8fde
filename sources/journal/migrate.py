"""Schema migrations, run programmatically: `portalgraph migrate` calls `upgrade(url)`.

Alembic runs inside one transaction on a connection this module opens. On PostgreSQL an
advisory transaction lock comes first, so replicas or init containers that migrate at
the same time take turns and the later ones find the schema at head; SQLite's BEGIN
IMMEDIATE does the same for a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from .database import Database, create_engine
from .errors import JournalNotMigratedError
from .tables import metadata
from .urls import POSTGRESQL, journal_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "journal_version"
LOCK_KEY = 0x6A6F75726E616C  # "journal": the advisory lock migrations hold on PostgreSQL


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(connection=connection, metadata=metadata, version_table=VERSION_TABLE)
    return config


def head() -> str:
    """The newest revision this release ships."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None, "the journal ships at least one migration"
    return found


async def upgrade(
    url: str | URL | None, revision: str = "head", *, sqlite_path: str | Path | None = None
) -> str | None:
    """To `revision` (default: this release's head); the revision the database is at after.

    A database at a revision this release does not know was migrated by a newer release;
    it is left alone (migrations keep the previous release working, so a rollback runs).
    """
    return await _run(url, sqlite_path, command.upgrade, revision)


async def downgrade(
    url: str | URL | None, revision: str, *, sqlite_path: str | Path | None = None
) -> None:
    """Back to `revision`; `"base"` drops every journal table."""
    await _run(url, sqlite_path, command.downgrade, revision)


async def current(url: str | URL | None, *, sqlite_path: str | Path | None = None) -> str | None:
    """The database's revision, or None when no migration ever ran."""
    engine = _engine(url, sqlite_path)
    try:
        return await revision_of(engine)
    finally:
        await engine.dispose()


async def revision_of(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current_revision)


async def check(db: Database) -> str:
    """The database's revision: this release's head, or a newer one (see `upgrade`).
    Raises JournalNotMigratedError for no schema or an older revision."""
    async with db.observe("migrations.check"):
        found = await revision_of(db.engine)
    expected = head()
    if found is None or (found != expected and _known(found)):
        raise JournalNotMigratedError(found, expected)
    return found


def _known(revision: str) -> bool:
    return revision in {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def _engine(url: str | URL | None, sqlite_path: str | Path | None) -> AsyncEngine:
    resolved = url if isinstance(url, URL) else journal_url(url, sqlite_path=sqlite_path)
    return create_engine(resolved, pool_size=1)


async def _run(
    url: str | URL | None, sqlite_path: str | Path | None, step: Any, revision: str
) -> str | None:
    db = Database(_engine(url, sqlite_path))
    try:
        return await db.run(_migrate(db, step, revision))
    finally:
        await db.close()


async def _migrate(db: Database, step: Any, revision: str) -> str | None:
    async with db.observe("migrations.run"), db.write() as conn:
        if db.backend == POSTGRESQL:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        found = await conn.run_sync(_current_revision)
        if found is not None and not _known(found) and step is command.upgrade:
            return found  # a newer release's schema: nothing for this one to do
        await conn.run_sync(lambda sync: step(_config(sync), revision))
        return await conn.run_sync(_current_revision)


def _current_revision(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()
