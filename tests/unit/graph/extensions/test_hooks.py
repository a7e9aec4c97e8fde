"""Hooks enters and exits extension hooks as Strawberry's contextlib stacks do, keeping less."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import OperationContextManager

from graph.extensions.hook_kinds import AGEN_ONCE, GEN, GEN_ONCE, ends_at_its_yield, hook_of
from graph.extensions.hooks import Hooks


class BoomError(Exception):
    pass


class OtherError(Exception):
    pass


def recorder(name: str, seen: list[str], *, react: str = "", is_async: bool = False) -> Any:
    """An extension whose on_operation records what it sees; `react` to an exception:
    "" re-raises, "suppress" swallows, "replace" raises OtherError from it."""

    def after(exc: BaseException) -> None:
        seen.append(f"{name} saw {type(exc).__name__}")
        if react == "replace":
            raise OtherError(name) from exc
        if react != "suppress":
            raise exc

    if is_async:

        class AsyncRecorder(SchemaExtension):
            async def on_operation(self) -> AsyncIterator[None]:
                seen.append(f"{name} in")
                try:
                    yield
                except Exception as exc:
                    after(exc)
                seen.append(f"{name} out")

        return AsyncRecorder()

    class Recorder(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            seen.append(f"{name} in")
            try:
                yield
            except Exception as exc:
                after(exc)
            seen.append(f"{name} out")

    return Recorder()


SCENARIOS = {
    "plain": ([("a", ""), ("b", "")], None),
    "body raises": ([("a", ""), ("b", "")], BoomError),
    "inner suppresses": ([("a", ""), ("b", "suppress")], BoomError),
    "inner replaces": ([("a", ""), ("b", "replace")], BoomError),
    "outer suppresses the replacement": ([("a", "suppress"), ("b", "replace")], BoomError),
}


async def run(manager: Any, body_raises: type[Exception] | None) -> str:
    try:
        async with manager:
            if body_raises is not None:
                raise body_raises("body")
    except Exception as exc:
        return f"raised {type(exc).__name__} (context {type(exc.__context__).__name__})"
    return "no exception"


@pytest.mark.parametrize("is_async", [False, True])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_exits_as_strawberry_and_contextlib_do(scenario: str, is_async: bool) -> None:
    hooks, raises = SCENARIOS[scenario]
    outcomes = []
    for make in (OperationContextManager, lambda ext: Hooks(ext, "on_operation")):
        seen: list[str] = []
        extensions = [recorder(n, seen, react=r, is_async=is_async) for n, r in hooks]
        outcomes.append((await run(make(extensions), raises), seen))
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][1][:2] == ["a in", "b in"]


def run_sync(manager: Any, body_raises: type[Exception] | None) -> str:
    try:
        with manager:
            if body_raises is not None:
                raise body_raises("body")
    except Exception as exc:
        return f"raised {type(exc).__name__} (context {type(exc.__context__).__name__})"
    return "no exception"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_sync_path_exits_alike(scenario: str) -> None:
    hooks, raises = SCENARIOS[scenario]
    outcomes = []
    for make in (OperationContextManager, lambda ext: Hooks(ext, "on_operation")):
        seen: list[str] = []
        extensions = [recorder(n, seen, react=r) for n, r in hooks]
        outcomes.append((run_sync(make(extensions), raises), seen))
    assert outcomes[1] == outcomes[0]


class Once(SchemaExtension):
    runs = 0

    def on_operation(self) -> Iterator[None]:
        Once.runs += 1
        yield


class AsyncOnce(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield


class Kept(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        try:
            yield
        finally:
            pass


async def test_an_entered_stage_keeps_only_hooks_with_work_after_their_yield() -> None:
    # What a subscription holds for hours: one suspended generator per hook that still
    # has something to do, nothing for a rate limit's or a size limit's hook.
    hooks = Hooks([Once(), AsyncOnce(), Kept(), Once()], "on_operation")
    async with hooks:
        held = [gen.gi_code.co_qualname for gen in hooks._entered]
        assert held == ["Kept.on_operation"]
        assert hooks._extensions == []  # the instances are the runner's to keep or drop
        assert Once.runs == 2
        gc.collect()
    assert hooks._entered == []


def test_a_hook_that_never_yields_is_an_error_as_in_contextlib() -> None:
    class NoYield(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            yield from ()  # a generator that ends without yielding

    with pytest.raises(RuntimeError, match="didn't yield"), Hooks([NoYield()], "on_operation"):
        pass


def test_hooks_keep_no_instance_dict() -> None:
    assert not hasattr(Hooks([], "on_operation"), "__dict__")


def test_which_hooks_end_at_their_yield() -> None:
    class Shapes(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            self.x = 1
            yield

        def on_parse(self) -> Iterator[None]:
            yield
            self.x = 2

        def on_validate(self) -> Iterator[None]:
            try:
                yield
            finally:
                self.x = 3

        def on_execute(self) -> Iterator[None]:
            def inner() -> Iterator[int]:
                yield 1

            self.x = sum(inner())
            yield

    assert ends_at_its_yield(Shapes.on_operation)
    assert not ends_at_its_yield(Shapes.on_parse)
    assert not ends_at_its_yield(Shapes.on_validate)
    assert ends_at_its_yield(Shapes.on_execute)  # the inner function's yield is its own
    assert hook_of(Shapes, "on_operation") == (Shapes.on_operation, GEN_ONCE)
    assert hook_of(Shapes, "on_parse") == (Shapes.on_parse, GEN)
    assert hook_of(AsyncOnce, "on_operation") == (AsyncOnce.on_operation, AGEN_ONCE)
    assert hook_of(Shapes, "on_stream_result") is None  # SchemaExtension's default


def refuse() -> None:
    raise BoomError("refused")


class Refusing(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        refuse()
        yield  # pragma: no cover - never reached: the hook refuses before it yields


def test_refusals_leave_no_reference_cycle() -> None:
    # Refused operations (rate limits) are frequent under attack: their exceptions must
    # not wait for the cyclic collector with the frames and hooks they reference.
    gc.collect()
    gc.disable()
    try:
        for extensions in ([Kept(), Refusing()], [recorder("a", []), Refusing()]):
            with pytest.raises(BoomError), Hooks(extensions, "on_operation"):
                pass
        with pytest.raises(OtherError), Hooks([recorder("b", [], react="replace")], "on_operation"):
            raise BoomError("body")
        assert gc.collect() == 0
    finally:
        gc.enable()
