"""Units of work: every journal operation runs to its end, whatever happens to its caller.

A caller cancelled mid-query (a client that leaves while its subscription is being set
up, a request deadline) would otherwise cut the operation short inside the driver: the
statement's answer arrives for nobody, and SQLAlchemy's pool hands the connection back
mid-transaction or drops it, which the collector later finds unclosed (aiosqlite and
asyncpg warn with a ResourceWarning). And a journal closed while an operation is still
running would dispose of the pool under it: the connection comes back to a pool nobody
closes any more.

So each operation runs in a task of its own. A cancelled caller waits for that task
(which commits or rolls back and returns its connection; the database's timeouts bound
the wait) and then raises its CancelledError. Closing waits for the running units, then
refuses new ones. `Database.read()` and `write()` refuse to open a connection outside a
unit, so an operation that forgets `@unit_of_work` fails its first test.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from .errors import JournalUnavailableError

T = TypeVar("T")
P = ParamSpec("P")
_INSIDE: ContextVar[bool] = ContextVar("journal_unit_of_work", default=False)


class _Runner(Protocol):
    async def run(self, work: Coroutine[Any, Any, T]) -> T: ...


class _HasDatabase(Protocol):
    @property
    def db(self) -> _Runner: ...


H = TypeVar("H", bound=_HasDatabase)


def unit_of_work(
    method: Callable[Concatenate[H, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[H, P], Coroutine[Any, Any, T]]:
    """Runs the decorated method of a journal part (anything with `.db`) as one unit."""

    @functools.wraps(method)
    async def run(self: H, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.db.run(method(self, *args, **kwargs))

    return run


def require_unit() -> None:
    """Raises unless called inside a unit of work (a programming error, not a failure)."""
    if not _INSIDE.get():
        raise RuntimeError("journal database access outside a unit of work (@unit_of_work)")


class Units:
    """The units of one database: started, awaited to completion, drained on close."""

    def __init__(self, drain_seconds: float) -> None:
        self.drain_seconds = drain_seconds
        self._running: set[asyncio.Task[Any]] = set()
        self._closed = False

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            work.close()  # never started: no "coroutine was never awaited" warning
            raise JournalUnavailableError("The journal is closed.")
        task = asyncio.create_task(_inside(work))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await to_completion(task)

    async def close(self) -> None:
        """Refuses new units, waits for the running ones (cancels those that outlast
        `drain_seconds`, which the database's own timeouts make rare)."""
        self._closed = True
        if not self._running:
            return
        _, late = await asyncio.wait(set(self._running), timeout=self.drain_seconds)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=self.drain_seconds)


async def _inside(work: Coroutine[Any, Any, T]) -> T:
    _INSIDE.set(True)  # in this task's own copy of the context only
    return await work


async def to_completion(task: asyncio.Task[T]) -> T:
    """`task`'s result; if the caller is cancelled meanwhile, its CancelledError is raised
    once `task` has finished (asyncio.wait never cancels what it waits for)."""
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.wait((task,))
        except asyncio.CancelledError as exc:
            cancelled = exc
    if cancelled is not None:
        if not task.cancelled():
            task.exception()  # retrieved: the observer counted it, the caller has left
        raise cancelled
    return task.result()
