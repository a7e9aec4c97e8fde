"""WebSocket sessions: the protocol handlers the view uses, and the session's lifetime.

Issue 18 #6 and #8, for both subprotocols (graphql-transport-ws, legacy graphql-ws):
- a socket closes with 4403 when its sign-in token expires (it answered `me` 41 s after);
- each operation gets a fresh Context (graph/http/ws_operations.py);
- the legacy protocol has a connection_init timeout too (4408), as graphql-transport-ws;
- a legacy `start` or `stop` without id or payload closes with 4400 instead of crashing
  the handler (which dropped the socket without a close frame).
Frame size and sockets per client: graph/http/ws_limits.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any, cast

from starlette.websockets import WebSocketDisconnect
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from graph.context import Context
from graph.http.ws_operations import OPERATION_EXTENSIONS, PerOperationSchema

TOKEN_EXPIRED = 4403
INVALID_MESSAGE = 4400
INIT_TIMEOUT = 4408
TOO_MANY_INITS = 4429


async def close_expired(close: Any) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await close(code=TOKEN_EXPIRED, reason="Token expired: sign in again and reconnect")


class Expiry:
    """The one timer of a connection: started when the viewer is known, cancelled at the end.

    A timer handle until the token's `exp`, and a task only to close the socket then: a
    task sleeping for the token's lifetime was ~1.4 KiB of every idle connection.
    """

    __slots__ = ("closing", "timer")

    def __init__(self) -> None:
        self.timer: asyncio.TimerHandle | None = None
        self.closing: asyncio.Task[None] | None = None

    def start(self, context: Context, close: Any) -> None:
        if context.viewer is not None and self.timer is None:
            delay = max(0.0, context.viewer.expires_at - time.time())
            self.timer = asyncio.get_running_loop().call_later(delay, self.expired, close)

    def expired(self, close: Any) -> None:
        self.closing = asyncio.ensure_future(close_expired(close))

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.closing is not None:
            self.closing.cancel()


def without_credentials(context: Context) -> None:
    """The connection's parameters, once authenticated, without the `Authorization` one:
    the viewer carries the token, and the raw header (with the payload dict around it,
    ~1 KiB) stayed in every operation's context for as long as the socket lived."""
    params = context.connection_params
    if params and any(key.lower() == "authorization" for key in params):
        kept = {k: v for k, v in params.items() if k.lower() != "authorization"}
        context.connection_params = kept or None


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

    async def handle_subscribe(self, message: Any) -> None:
        # Persisted documents over the socket: the extensions reach the schema
        # (ws_operations.py), and a message with the hash alone runs the known document.
        payload = message["payload"]
        payload.setdefault("query", None)
        extensions = payload.get("extensions")
        if not isinstance(extensions, dict):
            # No context variable set: its copy was ~0.3 KiB of every idle subscription.
            await super().handle_subscribe(message)
            return
        token = OPERATION_EXTENSIONS.set(extensions)
        try:
            await super().handle_subscribe(message)
        finally:
            OPERATION_EXTENSIONS.reset(token)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.expiry.start(self.context, self.websocket.close)
            without_credentials(self.context)
        if self.connection_init_received:
            # Cancelled by Strawberry at init: a finished task kept for the socket's life.
            self.connection_init_timeout_task = None

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
    # A subscribe without a query text runs only a persisted document (APQ, or a trusted
    # document's id); else it could only fail (a masked MissingQueryError before).
    payload = message.get("payload")
    if message["type"] != "subscribe":
        return True
    if not isinstance(payload, Mapping):
        return False
    query = payload.get("query")
    if isinstance(query, str) and query != "":
        return True
    extensions = payload.get("extensions")
    return (
        query is None
        and isinstance(extensions, Mapping)
        and ("persistedQuery" in extensions or "documentId" in extensions)
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
            without_credentials(self.context)
