"""The journal: what only the gateway knows about a viewer, in PostgreSQL or SQLite.

    async with Journal.connect(url, sqlite_path=data_dir / "journal.db") as journal:
        await journal.ensure_migrated()
        claim = await journal.submissions.claim(subject_key, key, fingerprint, draft,
                                                owner=owner, lease_seconds=60)

One `Journal` per process holds one pooled engine. Its parts share it: `submissions`
(idempotency and the state machine), `routes` (case → viewer for live updates),
`accounts` (learned account links), `payments` (XBezahldienste links) and `positions`
(event positions and seen ids). Subjects are the caller's pseudonymous keys.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL

from . import migrate, retention
from .accounts import VALID_LINKS, AccountLinks, links_of
from .database import Clock, Database, create_engine, utcnow
from .entries import SUBJECT_ENTRIES, grouped
from .observe import NO_JOURNAL_OBSERVER, JournalObserver
from .payments import SUBJECT_PAYMENTS, PaymentLinks, payment_link
from .positions import EventPositions
from .records import SubjectRecords, SubmissionEntry
from .routes import CaseRoutes
from .secretbox import SecretBox
from .submissions import Submissions
from .urls import backend, journal_url, shown
from .work import unit_of_work


class Journal:
    def __init__(self, db: Database, url: URL, secrets: SecretBox | None = None) -> None:
        self.db = db
        self.url = url
        self.submissions = Submissions(db, secrets)
        self.routes = CaseRoutes(db)
        self.accounts = AccountLinks(db)
        self.payments = PaymentLinks(db)
        self.positions = EventPositions(db)

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        url: str | URL | None,
        *,
        sqlite_path: str | Path | None = None,
        secrets: SecretBox | None = None,
        observer: JournalObserver = NO_JOURNAL_OBSERVER,
        clock: Clock = utcnow,
        pool_size: int = 5,
        db_timeout: float = 5.0,
    ) -> AsyncIterator[Journal]:
        """A journal on `url` (or the SQLite file `sqlite_path` when `url` is unset).

        `db_timeout` bounds connecting, each statement, waiting for a pooled connection
        and (SQLite) waiting for the writer's lock. Connects lazily: a database that is down fails the first operation (typed
        JournalUnavailableError), not the start-up; `ping` tells readiness.
        """
        resolved = url if isinstance(url, URL) else journal_url(url, sqlite_path=sqlite_path)
        engine = create_engine(resolved, pool_size=pool_size, timeout=db_timeout)
        db = Database(engine, observer=observer, clock=clock, timeout=db_timeout)
        try:
            yield cls(db, resolved, secrets)
        finally:
            await db.close()  # after the operations still running, never under them

    @property
    def backend(self) -> str:
        """`postgresql` or `sqlite` (one replica only)."""
        return backend(self.url)

    def __repr__(self) -> str:
        return f"Journal({shown(self.url)!r})"

    @unit_of_work
    async def ensure_migrated(self) -> str:
        """The schema revision; JournalNotMigratedError (naming `portalgraph migrate`) when
        there is none or an older one. A newer revision (a rollback) is accepted."""
        return await migrate.check(self.db)

    @unit_of_work
    async def ping(self) -> None:
        """One round trip; raises JournalUnavailableError when the database does not answer."""
        async with self.db.observe("journal.ping"), self.db.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def entries(self, subject_key: str) -> list[SubmissionEntry]:
        """The citizen's list: every submission entry of the subject, newest first."""
        return await self.submissions.for_subject(subject_key)

    @unit_of_work
    async def holdings(self, subject_key: str) -> SubjectRecords:
        """The subject's entries (newest first), valid account links (by upstream id) and
        payment links (oldest first): three prepared SELECTs in one unit of work and one
        transaction (`Database.select_many`: on SQLite one call on the reader's thread)."""
        subject = {"subject_key": subject_key}
        async with self.db.observe("journal.holdings"):
            entries, links, payments = await self.db.select_many(
                (
                    (SUBJECT_ENTRIES, subject),
                    (VALID_LINKS, {**subject, "now": self.db.clock()}),
                    (SUBJECT_PAYMENTS, subject),
                )
            )
        return SubjectRecords(
            tuple(entry for _, entry in grouped(entries)),
            tuple(links_of(links)),
            tuple(payment_link(row) for row in payments),
        )

    @unit_of_work
    async def delete_finished(self, subject_key: str) -> int:
        """GDPR Art. 17: the subject's finished entries and their routes, positions and
        payment links; entries in flight stay. How many entries were deleted."""
        return await retention.delete_finished(self.db, subject_key)

    @unit_of_work
    async def purge(self, older_than: timedelta) -> int:
        """Retention, for every subject; how many entries were deleted."""
        return await retention.purge(self.db, older_than)
