"""The engine behind a journal: drivers, SQLite settings, transactions, the error boundary.

SQLite: WAL (readers never wait for the writer), a busy timeout (writers queue instead of
failing), foreign keys on, `synchronous=FULL` (a commit survives a power cut: an
idempotency record must not vanish after its upstream POST). Write transactions start
with BEGIN IMMEDIATE, so two writers never both read and then fail to upgrade their lock;
reads stay deferred and run beside a writer. Within a process, writers queue on a lock.
PostgreSQL: READ COMMITTED, pre-pinged pooled connections, statement and connect timeouts.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .errors import JournalError, JournalUnavailableError
from .observe import NO_JOURNAL_OBSERVER, JournalObserver
from .sqlite_reads import SqliteReader
from .urls import POSTGRESQL, backend, sqlite_file
from .work import Units, require_unit

T = TypeVar("T")
logger = logging.getLogger("portalgraph.journal")
Clock = Callable[[], datetime]
WRITE = "journal_write"  # execution option: this transaction writes


def utcnow() -> datetime:
    return datetime.now(UTC)


def create_engine(url: URL, *, pool_size: int = 5, timeout: float = 5.0) -> AsyncEngine:
    if backend(url) == POSTGRESQL:
        return create_async_engine(
            url,
            hide_parameters=True,  # driver errors end up in logs; parameters stay out
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=timeout,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={
                "timeout": timeout,
                "command_timeout": timeout,
                "server_settings": {"application_name": "portalgraph-journal"},
            },
        )
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, hide_parameters=True, pool_size=pool_size, max_overflow=0, pool_timeout=timeout
    )
    busy_ms = int(timeout * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver opens no transactions itself
        cursor = dbapi_connection.cursor()
        for pragma in (f"busy_timeout={busy_ms}", "foreign_keys=ON", "synchronous=FULL"):
            cursor.execute(f"PRAGMA {pragma}")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file once set
        except Exception as exc:
            # A fresh file's first connections race to switch it (e.g. migrations started at
            # once): the switch needs the file to itself and SQLite answers "locked" at once,
            # without the busy timeout. The winner switches it; this connection goes on.
            if "locked" not in str(exc):
                raise
            cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()  # the mode SQLite kept
        cursor.close()
        warn_unless_wal(mode[0] if mode else None)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def warn_unless_wal(mode: object) -> None:
    """SQLite answers a refused switch with the mode it kept (a file system without shared
    memory, a file another process holds): say so, readers then wait for every writer."""
    if str(mode).lower() != "wal":
        logger.warning(
            "SQLite journal is in %s mode, not WAL: reads wait while a submission is written",
            str(mode).upper(),
        )


class Database:
    """One engine shared by the journal's stores; runs every operation as a unit of work
    (work.py), times it and translates its errors."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        observer: JournalObserver = NO_JOURNAL_OBSERVER,
        clock: Clock = utcnow,
        timeout: float = 5.0,
    ) -> None:
        self.engine = engine
        self.backend = engine.dialect.name
        self.observer = observer
        self.clock = clock
        self.timeout = timeout
        self._writer = engine.execution_options(**{WRITE: True})
        # SQLite has one writer. Queued here, in order, this process's writers wait without
        # SQLite's busy loop, whose growing sleeps starve some of them (seconds at p99).
        self._turn = asyncio.Lock() if self.backend != POSTGRESQL else None
        # A unit outlives its timeouts only by a few statements (a claim's rounds, purge's
        # batches): twice the timeout before closing stops waiting.
        self._units = Units(drain_seconds=2 * timeout)
        path = sqlite_file(engine.url)
        # SQLite: hot reads (select_many) on a reader of their own (sqlite_reads.py).
        self._reader = (
            SqliteReader(path, engine.dialect, busy_ms=int(timeout * 1000)) if path else None
        )

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Runs `work` to its end even when the caller is cancelled (see work.py)."""
        return await self._units.run(work)

    async def close(self) -> None:
        """Waits for the running units, refuses new ones, then closes every connection."""
        try:
            await self._units.close()
        finally:
            try:
                if self._reader is not None:
                    await self._reader.close()
            finally:
                await self.engine.dispose()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction (`async with db.write() as conn`), inside a unit of work."""
        require_unit()
        if self._turn is None:
            async with self._writer.begin() as conn:
                yield conn
            return
        async with asyncio.timeout(self.timeout):
            await self._turn.acquire()
        try:
            async with self._writer.begin() as conn:
                yield conn
        finally:
            self._turn.release()

    def read(self) -> AsyncConnection:
        """A connection for reading (`async with db.read() as conn`), inside a unit of work."""
        require_unit()
        return self.engine.connect()

    async def select_many(
        self, queries: Sequence[tuple[Select[Any], Mapping[str, Any]]]
    ) -> list[list[Any]]:
        """Each (statement, parameters)'s rows, read in one transaction, inside a unit of
        work; rows have their columns as attributes. SQLite: one call on the reader's
        thread (sqlite_reads.py); PostgreSQL: one pooled connection."""
        require_unit()
        if self._reader is not None:
            return await self._reader.fetch(queries)
        async with self.engine.connect() as conn:
            return [list((await conn.execute(s, p)).all()) for s, p in queries]

    def insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """INSERT with ON CONFLICT support, in the backend's dialect."""
        if self.backend == POSTGRESQL:
            return postgresql.insert(table)
        return sqlite.insert(table)

    @asynccontextmanager
    async def observe(self, operation: str) -> AsyncIterator[None]:
        """Times `operation` for the observer and turns driver errors into journal errors."""
        started = time.perf_counter()
        error: str | None = None
        try:
            yield
        except JournalError as exc:
            error = exc.code
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError, TimeoutError) as exc:
            error = JournalUnavailableError.code
            # The driver's message may quote statements and parameters: name the class only.
            cause = getattr(exc, "orig", None) or exc
            raise JournalUnavailableError(
                f"journal {operation} failed: {type(cause).__name__}"
            ) from exc
        except Exception:
            error = "JOURNAL_MISUSE"  # a caller's mistake (e.g. ValueError), re-raised as is
            raise
        finally:
            self.observer.observe(operation, time.perf_counter() - started, error)


async def first(conn: AsyncConnection, statement: Any) -> Any:
    """The first row of `statement`, or None."""
    return (await conn.execute(statement)).first()
