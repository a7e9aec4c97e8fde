"""The extensions runner: lean hooks (graph/extensions/hooks.py) that unwind on a refusal.

Strawberry enters the `on_operation` hooks one by one on an exit stack; when one of
them raises while entering (a rate limit, a refused persisted document, a size limit),
the exception leaves `__aenter__` and the hooks entered before it are never exited.
Their generators stay suspended until the garbage collector closes them: the metrics
and tracing hooks, which run outermost so that they see refusals, then counted a refused
operation late (after a /metrics scrape, when reference cycles kept it alive) and
without its error. Here the entered hooks are exited with the refusal, then it is raised;
every stage's hooks are `Hooks`, which also keep an idle subscription's entered hooks small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from graph.extensions.hook_kinds import hook_of
from graph.extensions.hooks import Hooks

if TYPE_CHECKING:
    from strawberry.extensions.context import (
        ExecutingContextManager,
        OperationContextManager,
        ParsingContextManager,
        StreamResultContextManager,
        ValidationContextManager,
    )


class UnwindingRunner(SchemaExtensionsRunner):
    # Strawberry's callers only enter and exit what these return (`with` / `async with`).
    def operation(self) -> OperationContextManager:
        return cast("OperationContextManager", Hooks(self.extensions, "on_operation"))

    def validation(self) -> ValidationContextManager:
        return cast("ValidationContextManager", Hooks(self.extensions, "on_validate"))

    def parsing(self) -> ParsingContextManager:
        return cast("ParsingContextManager", Hooks(self.extensions, "on_parse"))

    def executing(self) -> ExecutingContextManager:
        return cast("ExecutingContextManager", Executing(self))

    def executed(self) -> None:
        """After execution only stream results and extension results ask the extensions
        (the entered `on_operation` hooks keep their own): a subscription, idle for hours,
        keeps only the instances that still have something to do (~1.6 KiB of 15)."""
        self.extensions = [e for e in self.extensions if still_needed(type(e))]

    def on_stream_result(self, result: Any) -> StreamResultContextManager:
        return cast(
            "StreamResultContextManager", Hooks(self.extensions, "on_stream_result", (result,))
        )


def still_needed(cls: type) -> bool:
    return hook_of(cls, "on_stream_result") is not None or (
        getattr(cls, "get_results", None) is not SchemaExtension.get_results
    )


class Executing(Hooks):
    """The `on_execute` hooks; once they are exited the runner lets go of what is done."""

    __slots__ = ("_runner",)

    def __init__(self, runner: UnwindingRunner) -> None:
        super().__init__(runner.extensions, "on_execute")
        self._runner = runner

    def __exit__(self, _typ: object, exc: BaseException | None, _tb: object) -> None:
        try:
            super().__exit__(_typ, exc, _tb)
        finally:
            self._runner.executed()

    async def __aexit__(self, _typ: object, exc: BaseException | None, _tb: object) -> None:
        try:
            await super().__aexit__(_typ, exc, _tb)
        finally:
            self._runner.executed()
