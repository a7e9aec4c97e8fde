"""Hot reads on SQLite without the pool: a dashboard's three SELECTs, one snapshot.

Through SQLAlchemy and aiosqlite a read costs a hop to aiosqlite's thread for every
driver call (BEGIN, each statement's cursor, execute, fetch and close, the rollback on
return) plus the Core statement's cache key and result machinery: 1.4 ms CPU for the
holdings' three SELECTs (issue 21). Here the statements are compiled once by SQLAlchemy
(same SQL, same bind and result processors, so the values are what the Core path
returns) and run on a reader connection of their own in one call: BEGIN, the
statements, COMMIT; that call always runs to its end, so the connection never stays
inside a transaction. Writers keep to SQLAlchemy's pool (WAL: this reader never
blocks them, nor they it).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


class Prepared:
    """A SELECT compiled once for one dialect: its SQL, the order and processors of its
    bind parameters, and a row type with its columns' result processors."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        binds = compiled.binds
        self.names = tuple(compiled.positiontup or ())
        self.binds = tuple(
            binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in self.names
        )
        columns = statement.selected_columns
        self.results: tuple[Processor, ...] = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )
        fields = [str(c.key) for c in columns]
        row: Any = namedtuple("Row", fields)  # type: ignore[misc]  # fields known at run time
        self.make: Callable[[Iterable[Any]], Any] = row._make

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            value if bind is None else bind(value)
            for bind, value in zip(self.binds, (values[n] for n in self.names), strict=True)
        )

    def rows(self, raw: list[tuple[Any, ...]]) -> list[Any]:
        results, make = self.results, self.make
        return [
            make(v if p is None else p(v) for p, v in zip(results, values, strict=True))
            for values in raw
        ]


class SqliteReader:
    """Reads on connections of their own, opened on first use; statements compiled on
    first use (the callers' are module constants, so the map stays small).

    In WAL mode a reader never waits for a lock (readers and the writer each see their
    own snapshot), so the read runs right on the event loop (tens of µs, no thread hop:
    a hop costs more than the read, and under load each one waits for the GIL). Without
    WAL, or when SQLite answers "busy" anyway (a checkpoint resetting the log), the read
    goes to a second connection on a thread of its own, which waits up to the busy timeout.
    """

    def __init__(self, path: Path, dialect: Dialect, *, busy_ms: int) -> None:
        self.path = path
        self.dialect = dialect
        self.busy_ms = busy_ms
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal-read")
        self._inline: sqlite3.Connection | None = None
        self._inline_ok: bool | None = None  # None: not opened yet
        self._waiting: sqlite3.Connection | None = None
        self._prepared: dict[int, tuple[Select[Any], Prepared]] = {}

    def prepared(self, statement: Select[Any]) -> Prepared:
        # Keyed by identity, the statement kept beside it so its id is never reused.
        found = self._prepared.get(id(statement))
        if found is None:
            found = self._prepared[id(statement)] = (statement, Prepared(statement, self.dialect))
        return found[1]

    async def fetch(
        self, queries: Sequence[tuple[Select[Any], Mapping[str, Any]]]
    ) -> list[list[Any]]:
        """Each query's rows, all read in one transaction (one snapshot)."""
        prepared = [self.prepared(statement) for statement, _ in queries]
        batch = [(p.sql, p.parameters(v)) for p, (_, v) in zip(prepared, queries, strict=True)]
        raw = self._read_inline(batch)
        if raw is None:
            loop = asyncio.get_running_loop()
            raw = await loop.run_in_executor(self._thread, self._read_waiting, batch)
        return [p.rows(r) for p, r in zip(prepared, raw, strict=True)]

    def _read_inline(self, batch: Batch) -> Rows | None:
        """The rows, read without waiting; None where that needs a wait."""
        if self._inline_ok is None:
            self._inline = _connect(self.path, busy_ms=0, same_thread=True)
            mode = self._inline.execute("PRAGMA journal_mode").fetchone()
            self._inline_ok = bool(mode) and str(mode[0]).lower() == "wal"
        if not self._inline_ok or self._inline is None:
            return None
        try:
            return _read(self._inline, batch)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return None
            raise

    def _read_waiting(self, batch: Batch) -> Rows:
        if self._waiting is None:
            self._waiting = _connect(self.path, busy_ms=self.busy_ms, same_thread=False)
        return _read(self._waiting, batch)

    async def close(self) -> None:
        """Closes both connections (the thread's after any read still running there)."""
        if self._inline is not None:
            self._inline.close()
            self._inline, self._inline_ok = None, False
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._close_waiting)
        self._thread.shutdown(wait=False)

    def _close_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting.close()
            self._waiting = None


Batch = list[tuple[str, tuple[Any, ...]]]
Rows = list[list[tuple[Any, ...]]]


def _read(conn: sqlite3.Connection, batch: Batch) -> Rows:
    conn.execute("BEGIN")
    try:
        return [conn.execute(sql, parameters).fetchall() for sql, parameters in batch]
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # read only: ends the snapshot, writes nothing


def _connect(path: Path, *, busy_ms: int, same_thread: bool) -> sqlite3.Connection:
    # isolation_level None: the transaction is _read's BEGIN, nothing implicit.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=same_thread)
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    conn.execute("PRAGMA query_only=ON")  # a reader, whatever a bug sends it
    return conn
