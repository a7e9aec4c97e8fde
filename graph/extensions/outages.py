"""Outages become visible in one place, when the operation's fields have all resolved.

Loaders record each failing upstream in the request's `OutageLog` as it fails. At the
end of execution `OutageReport` adds one GraphQL error per entry (`extensions.code`,
`portalId`, `capability`). A field that lists the outages (`me.outages`) may be
selected before the fields whose upstream fails, or beside them deeper in the tree, so
it waits for `FieldsInFlight.others_done()`: every async field resolution of the
operation is counted (`counted`, bound to every field with a resolver of its own when
the schema is built; a plain attribute is never awaitable), and a child's resolver is called in the
same step that finishes its parent, so the count only reaches the number of waiting
`outages` fields once nothing else can still call an upstream. Deterministic: no
polling, no event-loop rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from graph.domain.outages import OutageEntry, OutageLog, outage_message
from sources.transport import remaining_time

T = TypeVar("T")
# Only operations that may list outages pay for the counting.
FIELD = "outages"


class FieldsInFlight:
    """Async field resolutions of one operation still running; see the module docstring."""

    def __init__(self) -> None:
        self.counting = False
        self.pending = 0
        self.waiting = 0
        # Made by the first waiter: most operations never wait, and an idle subscription
        # would hold an Event (with its deque) for hours.
        self._changed: asyncio.Event | None = None

    def track(self, resolution: Awaitable[T]) -> Awaitable[T]:
        # Counted now, when the resolver returns, not when the awaitable first runs: sibling
        # fields are all resolved before any of them is awaited.
        self.pending += 1
        return self._settle(resolution)

    async def _settle(self, resolution: Awaitable[T]) -> T:
        try:
            return await resolution
        finally:
            self.pending -= 1
            if self._changed is not None:
                self._changed.set()

    async def others_done(self) -> None:
        """Return once every counted resolution except the waiting ones has finished.

        Bounded by the request deadline: a resolution graphql-core abandoned (a sibling
        failing a non-null field) is never awaited and would otherwise be waited for forever.
        """
        if not self.counting:
            return
        self.waiting += 1
        changed = self._changed = self._changed or asyncio.Event()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining_time()):
                    while self.pending > self.waiting:
                        changed.clear()
                        await changed.wait()
        finally:
            self.waiting -= 1


def counted(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """`resolve`, its pending result counted in the operation's `FieldsInFlight`
    (graph/extensions/field_hooks.py binds it to every field with a resolver)."""

    def resolve_counted(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        result = resolve(root, info, **kwargs)
        in_flight: FieldsInFlight | None = getattr(info.context, "in_flight", None)
        if in_flight is None or not in_flight.counting or not inspect.isawaitable(result):
            return result
        return in_flight.track(result)

    return resolve_counted


def outage_error(entry: OutageEntry) -> GraphQLError:
    return GraphQLError(
        outage_message(entry),
        extensions={
            "code": entry.code,
            "portalId": entry.upstream.portal_id,
            "capability": entry.upstream.capability.name,
        },
    )


class OutageReport(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        in_flight: FieldsInFlight | None = getattr(context, "in_flight", None)
        if in_flight is not None:
            in_flight.counting = FIELD in (self.execution_context.query or "")
        yield
        result = self.execution_context.result
        outages: OutageLog | None = getattr(context, "outages", None)
        if result is None or outages is None or not outages.entries:
            return
        result.errors = [*(result.errors or []), *map(outage_error, outages.entries)]
