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

from strawberry.extensions.runner import SchemaExtensionsRunner

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
        return cast("ExecutingContextManager", Hooks(self.extensions, "on_execute"))

    def on_stream_result(self, result: Any) -> StreamResultContextManager:
        return cast(
            "StreamResultContextManager", Hooks(self.extensions, "on_stream_result", (result,))
        )
