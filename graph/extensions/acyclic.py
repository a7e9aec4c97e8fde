"""An execution context that leaves no reference cycle behind (issue 21).

graphql-core's executor keeps `async_helpers = (self.gather_async_work,
self.track_async_work)`: two bound methods of itself, so every executed operation is a
cycle, and everything it reaches (the context, its loaders, the upstream records) waited
for the cyclic collector instead of being freed when the request ended. Here the helpers
reach the executor through a weak reference; while resolvers run, the executor is alive
(they run inside its frames), so the reference always resolves.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from graphql.execution.executor import Executor
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


def weak_helpers(executor: Executor[Any]) -> GraphQLResolveInfoHelpers:
    ref = weakref.ref(executor)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return _alive(ref).gather_async_work(values)

    def track(values: Sequence[Any]) -> None:
        _alive(ref).track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def _alive(ref: Callable[[], Executor[Any] | None]) -> Executor[Any]:
    executor = ref()
    if executor is None:  # a resolver kept its `info` beyond the operation
        raise RuntimeError("the operation this field belonged to has ended")
    return executor


class AcyclicExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = weak_helpers(self)

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        # A subscription's per-event executor is a shallow copy: its helpers must point
        # at the copy, not at the subscription's executor.
        executor = super().build_per_event_executor(payload)
        executor.async_helpers = weak_helpers(executor)
        return executor
