"""The journal in the gateway: opened by the lifespan, migrated or checked, purged.

Development applies the migrations at start-up; production refuses to start on a database
without the schema (the journal's JournalNotMigratedError names `portalgraph migrate`).
Keys are secrets captured in `Settings.secrets`:

- PORTALGRAPH_JOURNAL_KEYS: the AES-256 key ring for per-submission callback secrets
  (`id:base64key[,…]`, the first one encrypts; docs/journal.md says how to rotate).
- PORTALGRAPH_JOURNAL_SUBJECT_KEY: the HMAC key of the viewers' pseudonymous subject keys.
  It must never change (the rows of every viewer are found by it), unlike the key ring.

Both are required in production; development derives fixed demo keys and warns.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from graph.domain.submitting import SubjectKeys
from graph.settings import PREFIX, Settings, SettingsError
from sources.base import Lock
from sources.journal import (
    NO_JOURNAL_OBSERVER as NO_OBSERVER,
    Journal,
    JournalObserver,
    SecretBox,
    upgrade,
)

logger = logging.getLogger("portalgraph.journal")
KEYS = PREFIX + "JOURNAL_KEYS"
SUBJECT_KEY = PREFIX + "JOURNAL_SUBJECT_KEY"
PURGE_LOCK = "journal:purge"


def sqlite_path(settings: Settings) -> Path:
    return Path(settings.journal.data_dir) / "journal.db"


def secret_box(settings: Settings) -> SecretBox:
    value = settings.secrets.get(KEYS)
    if value:
        return SecretBox.parse(value)
    if settings.is_production:
        raise SettingsError(f"{KEYS} is required in production (see docs/journal.md)")
    logger.warning("%s is unset: callback secrets are encrypted with a demo key", KEYS)
    demo = base64.b64encode(hashlib.sha256(b"portalgraph demo journal key").digest()).decode()
    return SecretBox.parse("demo:" + demo)


def subject_keys(settings: Settings) -> SubjectKeys:
    value = settings.secrets.get(SUBJECT_KEY)
    if value:
        return SubjectKeys(value.encode())
    if settings.is_production:
        raise SettingsError(f"{SUBJECT_KEY} is required in production (see docs/journal.md)")
    logger.warning("%s is unset: the journal's pseudonyms use a demo key", SUBJECT_KEY)
    return SubjectKeys(b"portalgraph demo subject key")


def problems(settings: Settings) -> list[str]:
    """What check-config refuses about the journal."""
    found = []
    if settings.journal.is_sqlite and settings.ops.replicas > 1:
        found.append(
            f"{PREFIX}REPLICAS is {settings.ops.replicas} but the journal is SQLite"
            f" ({PREFIX}DATABASE_URL unset or sqlite://): each replica would keep its own"
            " submissions and a retry on another replica would submit twice; set"
            f" {PREFIX}DATABASE_URL=postgresql://…"
        )
    if settings.is_production:
        for name in (KEYS, SUBJECT_KEY):
            if not settings.secrets.get(name):
                found.append(f"{name} is required in production (see docs/journal.md)")
    return found


@contextlib.asynccontextmanager
async def open_journal(
    settings: Settings, observer: JournalObserver = NO_OBSERVER
) -> AsyncIterator[Journal]:
    """The journal, migrated (development) or checked (production)."""
    url, path = settings.journal.database_url, sqlite_path(settings)
    if url is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if not settings.is_production:
        await upgrade(url, sqlite_path=path)
    async with Journal.connect(
        url, sqlite_path=path, secrets=secret_box(settings), observer=observer
    ) as journal:
        await journal.ensure_migrated()
        yield journal


async def purge_loop(journal: Journal, settings: Settings, lock: Lock) -> None:
    """Retention: every purge interval, the replica that takes the lock purges."""
    interval = settings.journal.purge_interval
    older_than = timedelta(days=settings.journal.retention_days)
    while True:
        await asyncio.sleep(interval)
        try:
            if await lock.acquire(PURGE_LOCK, interval * 0.9):
                deleted = await journal.purge(older_than)
                logger.info("journal retention: %d entries purged", deleted)
        except Exception as exc:  # a failed purge is retried next interval, never fatal
            logger.warning("journal retention failed: %s", type(exc).__name__)
