"""`portalgraph migrate` and `portalgraph journal purge|rotate-keys`: the journal offline.

Each opens the journal of the configured database (PORTALGRAPH_DATABASE_URL, or the SQLite
file in PORTALGRAPH_DATA_DIR), does one thing and says what it did.
"""

from __future__ import annotations

from datetime import timedelta

from graph.ops.journal import secret_box, sqlite_path
from graph.settings import Settings
from sources.journal import Journal, journal_url, upgrade
from sources.journal.urls import shown


async def migrate(settings: Settings, *, quiet: bool = False) -> int:
    """Applies the migrations (PostgreSQL: one migrator at a time, an advisory lock)."""
    url, path = settings.journal.database_url, sqlite_path(settings)
    if url is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    revision = await upgrade(url, sqlite_path=path)
    if not quiet:
        print(f"journal {shown(journal_url(url, sqlite_path=path))} at revision {revision}")
    return 0


async def maintain(settings: Settings, action: str) -> int:
    url, path = settings.journal.database_url, sqlite_path(settings)
    async with Journal.connect(url, sqlite_path=path, secrets=secret_box(settings)) as journal:
        await journal.ensure_migrated()
        if action == "purge":
            days = settings.journal.retention_days
            deleted = await journal.purge(timedelta(days=days))
            print(f"journal purge: {deleted} entries older than {days:g} days deleted")
        else:
            rotated = await journal.submissions.rotate_secrets()
            print(f"journal rotate-keys: {rotated} callback secrets re-encrypted")
    return 0
