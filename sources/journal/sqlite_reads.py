"""Hot reads on SQLite in one thread hop: a dashboard's three SELECTs, one snapshot.

Through SQLAlchemy and aiosqlite a read costs a hop to aiosqlite's thread for every
driver call (BEGIN, each statement's cursor, execute, fetch and close, the rollback on
return) plus the Core statement's cache key and result machinery: 1.4 ms CPU for the
holdings' three SELECTs (issue 21). Here the statements are compiled once by SQLAlchemy
(same SQL, same bind and result processors, so the values are what the Core path
returns) and run on a reader connection of their own, in one call on its own thread:
BEGIN, the statements, COMMIT. A cancelled caller leaves that call to finish, so the
connection never stays inside a transaction. Writers keep to SQLAlchemy's pool (WAL:
this reader never blocks them, nor they it).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
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
    """Reader connections, one per thread of a small pool, each opened on its thread's
    first read; statements compiled on first use (the callers' are module constants, so
    the map stays small). More than one thread: a read gives up the GIL at each SQLite
    call and waits to get it back while the event loop runs, so one thread alone queues
    the reads of concurrent requests behind each other."""

    def __init__(self, path: Path, dialect: Dialect, *, busy_ms: int, threads: int = 4) -> None:
        self.path = path
        self.dialect = dialect
        self.busy_ms = busy_ms
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="journal-read")
        self._local = threading.local()
        self.opened: list[sqlite3.Connection] = []
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
        raw = await asyncio.get_running_loop().run_in_executor(self._threads, self._read, batch)
        return [p.rows(r) for p, r in zip(prepared, raw, strict=True)]

    def _read(self, batch: list[tuple[str, tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
        conn: sqlite3.Connection = getattr(self._local, "conn", None) or self._open()
        conn.execute("BEGIN")
        try:
            return [conn.execute(sql, parameters).fetchall() for sql, parameters in batch]
        finally:
            conn.execute("COMMIT")  # read only: ends the snapshot, writes nothing

    def _open(self) -> sqlite3.Connection:
        # isolation_level None: the transaction is the BEGIN above, nothing implicit.
        # check_same_thread off only so that close() may close it from another thread.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={self.busy_ms}")
        conn.execute("PRAGMA query_only=ON")  # a reader, whatever a bug sends it
        self._local.conn = conn
        self.opened.append(conn)  # list.append is atomic under the GIL
        return conn

    async def close(self) -> None:
        """Closes the connections once the reads still running on them have ended."""
        if not self.opened:  # never read (migrations, checks): no thread to wait for
            self._threads.shutdown(wait=False)
            return
        await asyncio.get_running_loop().run_in_executor(None, self._threads.shutdown, True)
        while self.opened:
            self.opened.pop().close()
