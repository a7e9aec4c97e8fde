"""One WebSocket or stream operation: a fresh Context each, refusals as error results.

Issue 18 #6 and #9: a connection-wide Context served stale counts and stale outages for
as long as the socket lived, so every operation gets its own (the connection's identity,
its own loaders and outage log); a schema extension that refuses an operation before
its first result (rate limit, trusted documents) sends an `error`, not a bare `complete`
or a broken stream.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from contextvars import ContextVar
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.types.execution import PreExecutionError

from graph.context import Context, GatewayState
from graph.domain.messages import Language
from graph.extensions.masking import public_error, request_language
from sources.base import ViewerRecord

# A graphql-transport-ws `subscribe` message's `extensions` (APQ's persistedQuery):
# Strawberry's handler drops them, so graph/http/websockets.py sets them here while it
# starts the operation's task, whose context copy carries them to `stream` below.
OPERATION_EXTENSIONS: ContextVar[dict[str, Any] | None] = ContextVar(
    "portalgraph_operation_extensions", default=None
)


def socket_context(
    gateway: GatewayState, websocket: WebSocket, viewer: ViewerRecord | None = None
) -> Context:
    """A context for a WebSocket connection or one of its operations. Its loaders cost
    an empty dict until a field loads (graph/loaders.py makes each DataLoader on first
    use): an idle subscription seldom resolves one."""
    return Context.build(gateway, websocket, None, viewer)


def fresh_context(context: Context) -> Context:
    """The connection's identity, with this operation's own loaders and outage log."""
    if isinstance(context.request, WebSocket):
        fresh = socket_context(context.gateway, context.request, context.viewer)
    else:  # a test's plain context
        fresh = Context.build(context.gateway, context.request, context.response, context.viewer)
    fresh.connection_params = context.connection_params
    return fresh


class PerOperationSchema:
    """The schema as the handlers see it: every operation runs with a fresh Context."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema

    def __getattr__(self, name: str) -> Any:
        return getattr(self.schema, name)

    async def stream(self, *args: Any, context_value: Context, **kwargs: Any) -> Any:
        fresh = fresh_context(context_value)
        kwargs.setdefault("operation_extensions", OPERATION_EXTENSIONS.get())
        lang = request_language(fresh)
        try:
            return refusals_as_errors(
                await self.schema.stream(*args, context_value=fresh, **kwargs), lang=lang
            )
        except GraphQLError as exc:
            return refusals_as_errors(None, exc, lang=lang)

    async def subscribe(self, *args: Any, context_value: Context, **kwargs: Any) -> Any:
        fresh = fresh_context(context_value)
        lang = request_language(fresh)
        try:
            return refusals_as_errors(
                await self.schema.subscribe(*args, context_value=fresh, **kwargs), lang=lang
            )
        except GraphQLError as exc:
            return refusals_as_errors(None, exc, lang=lang)


async def refusals_as_errors(
    source: AsyncGenerator[Any] | None,
    refused: GraphQLError | None = None,
    *,
    lang: Language = "en",
) -> AsyncGenerator[Any]:
    """The results of `source`; a refusal raised before the first one becomes an error result.

    A schema extension that refuses an operation (rate limit, trusted documents) raises
    before execution; Strawberry's socket handlers then sent a bare `complete` (graphql-
    transport-ws) or nothing at all (legacy). As a PreExecutionError they send `error`,
    in the client's language (no extension exit saw the refusal to translate it).
    """

    if refused is not None or source is None:
        yield refusal(refused or GraphQLError("Refused."), lang)
        return
    started = False
    async with contextlib.aclosing(source):
        try:
            async for result in source:
                started = True
                yield result
        except GraphQLError as exc:
            if started:
                raise
            yield refusal(exc, lang)


def refusal(error: GraphQLError, lang: Language) -> PreExecutionError:
    """A refusal as an error result. Module level: a closure in the stream above was one
    more object for every operation's whole life (an idle subscription's)."""
    # Refusals carry no "Did you mean" hints: nothing to hide in production.
    return PreExecutionError(
        data=None, errors=[public_error(error, hide_suggestions=False, lang=lang)]
    )
