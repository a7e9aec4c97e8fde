"""A refusal in a later `on_operation` hook exits the hooks entered before it, at once."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graph.extensions.unwinding import UnwindingRunner


class RefusedError(Exception):
    pass


def refuse() -> None:
    raise RefusedError("no")


def outer(seen: list[str]) -> type[SchemaExtension]:
    """An outermost hook (like the metrics) writing to this test's own list."""

    class Outer(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            try:
                yield
            except RefusedError:
                seen.append("refused")
                raise
            finally:
                seen.append("exited")

    return Outer


class Refusing(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        refuse()
        yield  # pragma: no cover - never reached: the hook refuses before it yields


@strawberry.type
class Query:
    hello: str = "world"


class Unwinding(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> UnwindingRunner:
        return UnwindingRunner(execution_context=execution_context, extensions=extensions)


async def test_the_outer_hook_sees_the_refusal_before_the_answer_returns() -> None:
    seen: list[str] = []
    schema = Unwinding(query=Query, extensions=[outer(seen), Refusing])
    gc.disable()  # the count must not wait for the collector
    try:
        result = await schema.execute("{ hello }")
        assert seen == ["refused", "exited"]
    finally:
        gc.enable()
    assert result.errors
    assert "no" in result.errors[0].message


async def test_without_the_runner_strawberry_leaves_the_outer_hook_suspended() -> None:
    # The reason for UnwindingRunner: if this starts failing, strawberry fixed it upstream.
    seen: list[str] = []
    schema = strawberry.Schema(query=Query, extensions=[outer(seen), Refusing])
    gc.disable()
    try:
        result = await schema.execute("{ hello }")
        assert seen == []
    finally:
        gc.enable()
    assert result.errors


def test_the_sync_path_unwinds_too() -> None:
    class SyncRefusing(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            refuse()
            yield  # pragma: no cover - never reached: the hook refuses before it yields

    seen: list[str] = []
    schema = Unwinding(query=Query, extensions=[outer(seen), SyncRefusing])
    result = schema.execute_sync("{ hello }")
    assert seen == ["refused", "exited"]
    assert result.errors


class StreamOnly(SchemaExtension):
    def on_stream_result(self, result: object) -> Iterator[None]:
        yield


class Results(SchemaExtension):
    def get_results(self) -> dict[str, object]:
        return {"seen": True}


async def test_after_execution_the_runner_keeps_only_extensions_with_work_left() -> None:
    # What an idle subscription keeps for hours: not the rate limit's or the parser
    # cache's instance, only those that stream results or report extension results.
    seen: list[str] = []
    kept, reporting = StreamOnly(), Results()
    runner = UnwindingRunner(
        execution_context=None,  # type: ignore[arg-type]  # not read by these hooks
        extensions=[outer(seen)(), kept, Refusing(), reporting],
    )
    async with runner.executing():
        assert len(runner.extensions) == 4
    assert runner.extensions == [kept, reporting]
    with runner.executing():
        pass
    assert runner.extensions == [kept, reporting]


async def test_a_subscription_yields_its_results_with_the_pruned_extensions() -> None:
    @strawberry.type
    class Subscription:
        @strawberry.subscription
        async def ticks(self) -> AsyncIterator[int]:
            for n in range(3):
                yield n

    seen: list[str] = []
    schema = Unwinding(query=Query, subscription=Subscription, extensions=[outer(seen), Results])
    stream = await schema.subscribe("subscription { ticks }")
    results = [r async for r in stream]
    assert [r.data for r in results] == [{"ticks": 0}, {"ticks": 1}, {"ticks": 2}]
    assert all(r.extensions == {"seen": True} for r in results)
    assert seen == ["exited"]
