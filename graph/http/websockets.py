"""WebSocket sessions under attack: the protocol handlers and socket adapter the view uses.

Issue 18 #6 and #8, for both subprotocols (graphql-transport-ws, legacy graphql-ws):
- a socket closes with 4403 when its sign-in token expires (it answered `me` 41 s after);
- each operation gets a fresh Context (DataLoaders, outages): a connection-wide one served
  stale counts and stale outages for as long as the socket lived;
- the legacy protocol has a connection_init timeout too (4408), as graphql-transport-ws;
- a frame above the body limit closes the socket (1009) instead of being parsed;
- a legacy `start` or `stop` without id or payload closes with 4400 instead of crashing
  the handler (which dropped the socket without a close frame).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import PreExecutionError

from graph.context import STATE_KEY, Context, GatewayState
from graph.domain.messages import Language
from graph.extensions.masking import public_error, request_language
from sources.base import ViewerRecord

TOKEN_EXPIRED = 4403
INVALID_MESSAGE = 4400
INIT_TIMEOUT = 4408
TOO_MANY_INITS = 4429
TOO_BIG = 1009
DEFAULT_FRAME_LIMIT = 1_000_000


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

    def refusal(error: GraphQLError) -> PreExecutionError:
        # Refusals carry no "Did you mean" hints: nothing to hide in production.
        return PreExecutionError(
            data=None, errors=[public_error(error, hide_suggestions=False, lang=lang)]
        )

    if refused is not None or source is None:
        yield refusal(refused or GraphQLError("Refused."))
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
            yield refusal(exc)


async def close_at_expiry(close: Any, expires_at: float) -> None:
    """Sleep until the token's `exp`, then close the socket with 4403."""
    await asyncio.sleep(max(0.0, expires_at - time.time()))
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await close(code=TOKEN_EXPIRED, reason="Token expired: sign in again and reconnect")


class Expiry:
    """The one timer of a connection: started when the viewer is known, cancelled at the end."""

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None

    def start(self, context: Context, close: Any) -> None:
        if context.viewer is not None and self.task is None:
            self.task = asyncio.create_task(close_at_expiry(close, context.viewer.expires_at))

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()


class TransportWsHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = cast(BaseSchema, PerOperationSchema(self.schema))
        self.expiry = Expiry()

    async def handle_message(self, message: Any) -> None:
        # A frame of valid JSON that is no object (`true`, `[]`) crashed the handler.
        if not has_type(message):
            await self.handle_invalid_message("A message needs a string 'type' (and 'id')")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.expiry.start(self.context, self.websocket.close)

    async def shutdown(self) -> None:
        self.expiry.cancel()
        await super().shutdown()


def has_type(message: object) -> bool:
    """A graphql-transport-ws message Strawberry can dispatch: an object with a string
    `type`, a string `id` where the type carries one (a list id crashed it), and a
    `subscribe` payload with a string `query`."""
    if not isinstance(message, Mapping) or not isinstance(message.get("type"), str):
        return False
    with_id = message["type"] in ("subscribe", "complete", "next", "error")
    if with_id and not isinstance(message.get("id"), str):
        return False
    # Strawberry passes no extensions over sockets, so a subscribe without a query text
    # could only fail (a masked MissingQueryError before).
    payload = message.get("payload")
    return message["type"] != "subscribe" or (
        isinstance(payload, Mapping)
        and isinstance(payload.get("query"), str)
        and payload["query"] != ""
    )


def legacy_problem(message: object) -> str | None:
    """Why a legacy (subscriptions-transport-ws) message cannot be handled, or None."""
    if not isinstance(message, Mapping) or not isinstance(message.get("type"), str):
        return "A message must be an object with a string 'type'"
    kind = message["type"]
    if kind in ("start", "stop") and not (isinstance(message.get("id"), str) and message["id"]):
        return f"A '{kind}' message needs a string 'id'"
    if kind == "start":
        payload = message.get("payload")
        if not isinstance(payload, Mapping) or not isinstance(payload.get("query"), str):
            return "A 'start' message needs a payload with a string 'query'"
        if not payload["query"]:
            return "A 'start' message needs a payload with a string 'query'"
        if not isinstance(payload.get("variables") or {}, Mapping):
            return "'variables' must be an object"
    return None


class LegacyWsHandler(BaseGraphQLWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = cast(BaseSchema, PerOperationSchema(self.schema))
        self.expiry = Expiry()
        # The view's graphql-transport-ws timeout applies to the legacy protocol, too.
        self.init_timeout = self.view.connection_init_wait_timeout.total_seconds()

    async def handle(self) -> None:
        waiting = asyncio.create_task(self.close_without_init())
        try:
            await super().handle()
        finally:
            waiting.cancel()
            self.expiry.cancel()

    async def close_without_init(self) -> None:
        await asyncio.sleep(self.init_timeout)
        if not self.connection_acknowledged:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.close(INIT_TIMEOUT, "Connection initialisation timeout")

    async def handle_message(self, message: Any) -> None:
        problem = legacy_problem(message)
        if problem is not None:
            await self.websocket.close(INVALID_MESSAGE, problem)
            return
        if message["type"] == "connection_init" and self.connection_acknowledged:
            # Strawberry would start a second keep-alive task and lose the first (it then
            # outlives the socket): refused as graphql-transport-ws refuses it.
            await self.websocket.close(TOO_MANY_INITS, "Too many initialisation requests")
            return
        await super().handle_message(message)
        if message["type"] == "connection_init" and self.connection_acknowledged:
            self.expiry.start(self.context, self.websocket.close)


def frame_limit(websocket: WebSocket) -> int:
    """PORTALGRAPH_MAX_BODY_BYTES: a frame carries what an HTTP body would."""
    state = websocket.scope.get("state", {}).get(STATE_KEY)
    return state.settings.server.max_body_bytes if state is not None else DEFAULT_FRAME_LIMIT


class BoundedWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's socket adapter, refusing frames above `max_bytes` (close 1009)."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    text = await self.ws.receive_text()
                except KeyError as exc:  # a binary frame
                    raise NonTextMessageReceived from exc
                limit = frame_limit(self.ws)
                if len(text) > limit:
                    await self.close(TOO_BIG, f"A message may be at most {limit} bytes")
                    return
                try:
                    yield self.view.decode_json(text)
                except ValueError as exc:  # orjson.JSONDecodeError, json.JSONDecodeError
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except WebSocketDisconnect:
            pass


class ClientSocketCap:
    """Pure ASGI: at most `per_client` open WebSockets per client address (issue 18 #6).

    The address is the peer's, or the one a trusted proxy forwarded (uvicorn's proxy
    headers, `PORTALGRAPH_TRUSTED_PROXIES`). Over the cap the handshake is refused (403).
    """

    def __init__(self, app: Any, per_client: int) -> None:
        self.app = app
        self.per_client = per_client
        self.open: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.open.get(client, 0) >= self.per_client:
            await send({"type": "websocket.close", "code": 1008, "reason": "Too many sockets"})
            return
        self.open[client] = self.open.get(client, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open[client] -= 1
            if not self.open[client]:
                del self.open[client]
