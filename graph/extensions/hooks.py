"""One lifecycle stage's extension hooks of one operation, entered without contextlib.

Strawberry wraps every hook of every extension, per operation and stage, in a fresh
`contextlib.contextmanager` (a new function, `functools.wraps` metadata, a bound method,
a `WrappedHook` tuple) and enters them on an `ExitStack` (a deque, a bound `__exit__`
per hook). A subscription keeps its `on_operation` hooks entered for as long as it runs:
that machinery was ~7 KiB of every idle subscription (bench/live_heap.py), and building
it ~5 stages × 15 extensions over again was part of every request's CPU. Here a stage
keeps only the hooks' own generators, in a list, and exits them with the semantics of
`contextlib.contextmanager` on an `ExitStack`: in reverse order, an exception thrown into
each, a hook may suppress it or raise another in its place.

When a hook raises while entering (a rate limit, a refused document), the hooks entered
before it are exited with that exception at once (graph/extensions/unwinding.py says why).
"""

from __future__ import annotations

import inspect
from typing import Any, Final

from strawberry.extensions import SchemaExtension

from graph.extensions.hook_kinds import ACALL, AGEN, AGEN_ONCE, CALL, GEN, GEN_ONCE, hook_of


class Hooks:
    """A context manager (sync and async) over the `name` hooks of `extensions`."""

    __slots__ = ("_args", "_entered", "_extensions", "_name")
    NO_ARGS: Final[tuple[()]] = ()

    def __init__(
        self, extensions: list[SchemaExtension], name: str, args: tuple[Any, ...] = NO_ARGS
    ) -> None:
        self._extensions = extensions
        self._name = name
        self._args = args
        self._entered: list[Any] = []  # the suspended generators, in entering order

    def __enter__(self) -> None:
        # Entered once: the stage keeps its entered hooks, not the operation's extensions.
        extensions, self._extensions = self._extensions, []
        for extension in extensions:
            found = hook_of(type(extension), self._name)
            if found is None:
                continue
            fn, kind = found
            try:
                if kind in (AGEN, AGEN_ONCE, ACALL):
                    raise RuntimeError(
                        f"SchemaExtension hook {extension}.{self._name} failed to complete"
                        " synchronously."
                    )
                if kind == CALL:
                    fn(extension, *self._args)
                    continue
                gen = fn(extension, *self._args)
                next(gen)
                if kind == GEN_ONCE:
                    finish(gen)
                    continue
            except StopIteration:
                self._unwind_sync(RuntimeError("generator didn't yield"))
                return
            except BaseException as exc:  # exited with it by the hooks entered before
                self._unwind_sync(exc)
                return
            self._entered.append(gen)

    async def __aenter__(self) -> None:
        # Entered once: the stage keeps its entered hooks, not the operation's extensions.
        extensions, self._extensions = self._extensions, []
        for extension in extensions:
            found = hook_of(type(extension), self._name)
            if found is None:
                continue
            fn, kind = found
            try:
                if kind in (CALL, ACALL):
                    called = fn(extension, *self._args)
                    if kind == ACALL:
                        await called
                    continue
                gen = fn(extension, *self._args)
                if kind in (GEN, GEN_ONCE):
                    next(gen)
                    if kind == GEN_ONCE:
                        finish(gen)
                        continue
                else:
                    await gen.__anext__()
                    if kind == AGEN_ONCE:
                        await finish_async(gen)
                        continue
            except (StopIteration, StopAsyncIteration):
                await self._unwind(RuntimeError("generator didn't yield"))
                return
            except BaseException as exc:
                await self._unwind(exc)
                return
            self._entered.append(gen)

    def _unwind_sync(self, exc: BaseException) -> None:
        """Exit what was entered with `exc`; re-raise it unless a hook suppressed it (then
        the stage runs without the hooks not yet entered, as an ExitStack would)."""
        try:
            if not self._exit_all(exc):
                raise exc
        finally:
            del exc  # the exception's traceback holds this frame: no cycle through it

    async def _unwind(self, exc: BaseException) -> None:
        try:
            if not await self._aexit_all(exc):
                raise exc
        finally:
            del exc

    # As Strawberry's: a hook may swallow the exception for the hooks further out, but the
    # stage's own exit never suppresses it (its __exit__ returns None).
    def __exit__(self, _typ: object, exc: BaseException | None, _tb: object) -> None:
        self._exit_all(exc)

    async def __aexit__(self, _typ: object, exc: BaseException | None, _tb: object) -> None:
        await self._aexit_all(exc)

    def _exit_all(self, exc: BaseException | None) -> bool:
        """ExitStack's exit over the entered hooks: True if they suppressed `exc`."""
        received, suppressed, raised = exc is not None, False, False
        entered, self._entered = self._entered, []
        for gen in reversed(entered):
            try:
                if exit_generator(gen, exc):
                    suppressed, raised, exc = True, False, None
            except BaseException as new:  # replaces the exception for the hooks further out
                raised, exc = True, new
        if raised:
            try:
                reraise(exc)
            finally:
                del exc
        return received and suppressed

    async def _aexit_all(self, exc: BaseException | None) -> bool:
        received, suppressed, raised = exc is not None, False, False
        entered, self._entered = self._entered, []
        for gen in reversed(entered):
            try:
                done = (
                    await exit_async_generator(gen, exc)
                    if inspect.isasyncgen(gen)
                    else exit_generator(gen, exc)
                )
                if done:
                    suppressed, raised, exc = True, False, None
            except BaseException as new:
                raised, exc = True, new
        if raised:
            try:
                reraise(exc)
            finally:
                del exc
        return received and suppressed


def finish(gen: Any) -> None:
    try:
        next(gen)
    except StopIteration:
        return
    raise RuntimeError("generator didn't stop")


async def finish_async(gen: Any) -> None:
    try:
        await gen.__anext__()
    except StopAsyncIteration:
        return
    raise RuntimeError("generator didn't stop")


def reraise(exc: BaseException | None) -> None:
    # As ExitStack: raising here (inside the caller's `except`) would overwrite the chain.
    assert exc is not None
    context = exc.__context__
    try:
        raise exc
    except BaseException:
        exc.__context__ = context
        raise
    finally:
        del exc, context


def exit_generator(gen: Any, exc: BaseException | None) -> bool:
    """`contextlib.contextmanager`'s exit: True if the hook suppressed `exc`."""
    if exc is None:
        try:
            next(gen)
        except StopIteration:
            return False
        raise RuntimeError("generator didn't stop")
    traceback = exc.__traceback__
    try:
        gen.throw(exc)
    except StopIteration as stop:
        return stop is not exc
    except BaseException as raised:
        if raised is exc or (isinstance(exc, StopIteration) and raised.__cause__ is exc):
            exc.__traceback__ = traceback
            return False
        raise
    raise RuntimeError("generator didn't stop after throw()")


async def exit_async_generator(gen: Any, exc: BaseException | None) -> bool:
    """`contextlib.asynccontextmanager`'s exit: True if the hook suppressed `exc`."""
    if exc is None:
        try:
            await gen.__anext__()
        except StopAsyncIteration:
            return False
        raise RuntimeError("generator didn't stop")
    traceback = exc.__traceback__
    try:
        await gen.athrow(exc)
    except StopAsyncIteration as stop:
        return stop is not exc
    except BaseException as raised:
        stopped = isinstance(exc, (StopIteration, StopAsyncIteration))
        if raised is exc or (stopped and raised.__cause__ is exc):
            exc.__traceback__ = traceback
            return False
        raise
    raise RuntimeError("generator didn't stop after athrow()")
