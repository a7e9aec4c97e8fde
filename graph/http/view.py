"""The GraphQL endpoint: Strawberry's ASGI view with our Context and offline GraphiQL.

Only Strawberry's hooks are filled in: the context, JSON encoding, the body parser
(persisted-document ids), the result, the WebSocket handshake and GraphiQL. Bearer
auth, the response cache and media-type negotiation are middleware around the route
(graph/http/auth.py, response_cache.py, spec.py); a request Strawberry refuses is
answered in GraphQL's error shape by graph/http/errors.py.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping, Sequence
from datetime import timedelta
from types import MappingProxyType
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.streaming import HTTPStreamTransport
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import SubscriptionExecutionResult
from strawberry.types.unset import UNSET

from graph.context import Context, GatewayState
from graph.domain.errors import UnauthenticatedError
from graph.domain.messages import HEADER as LANGUAGE_HEADER, language, localise
from graph.http.auth import authenticate, viewer_of
from graph.http.cors import refuse_websocket_origin
from graph.http.errors import http_refusal
from graph.http.graphiql import graphiql_html
from graph.http.request_body import StrictBodies
from graph.http.security import NONCE_KEY
from graph.http.spec import NegotiatedSSETransport, mark_request_error
from graph.http.websockets import LegacyWsHandler, TransportWsHandler
from graph.http.ws_limits import BoundedWebSocketAdapter
from graph.http.ws_operations import refusals_as_errors, socket_context

GRAPHIQL_ASSETS = "/graphiql/assets"
# Every view of this process, so the server can drain them on shutdown.
ACTIVE_VIEWS: weakref.WeakSet[GatewayView] = weakref.WeakSet()


class GatewayView(StrictBodies, GraphQL[Context, None]):  # StrictBodies: issue 18 #8
    # Issue 18 #6/#8: token expiry, per-operation context (graph/http/websockets.py,
    # ws_operations.py), frame cap (ws_limits.py).
    graphql_transport_ws_handler_class = TransportWsHandler
    graphql_ws_handler_class = LegacyWsHandler
    websocket_adapter_class = BoundedWebSocketAdapter
    # SSE only for clients that prefer it to JSON (graph/http/spec.py).
    stream_transport_classes_by_protocol: Mapping[str, type[HTTPStreamTransport]] = (
        MappingProxyType(
            {
                **GraphQL.stream_transport_classes_by_protocol,
                GRAPHQL_SSE_PROTOCOL: NegotiatedSSETransport,
            }
        )
    )

    def __init__(
        self,
        schema: Any,
        *,
        graphiql: bool,
        connection_init_timeout: float = 10.0,
        subscriptions_per_connection: int = 10,
        shutdown_delay: float = 0.0,
        allowed_origins: Sequence[str] = (),
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(
                GRAPHQL_TRANSPORT_WS_PROTOCOL,
                GRAPHQL_WS_PROTOCOL,
                GRAPHQL_SSE_PROTOCOL,
            ),
            connection_init_wait_timeout=timedelta(seconds=connection_init_timeout),
            max_subscriptions_per_connection=subscriptions_per_connection,
            multipart_uploads_enabled=True,
            # Cross-origin WebSocket handshakes: the same origins CORS admits.
            allowed_origins=allowed_origins,
        )
        self.shutdown_delay = shutdown_delay
        self.websockets: weakref.WeakSet[WebSocket] = weakref.WeakSet()
        self.draining = False  # set by the server when it starts shutting down
        ACTIVE_VIEWS.add(self)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Strawberry refuses malformed requests with plain text; ours answer like any
        # other GraphQL error. (Strawberry's `run` is overloaded per request kind.)
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            if isinstance(request, WebSocket):
                raise
            return http_refusal(exc, language(request.headers.get(LANGUAGE_HEADER)))
        finally:
            if isinstance(request, Request):
                await request.close()  # removes the spooled files of multipart uploads

    def _stream_result(self, request: Any, result: Any, transport: Any) -> Any:
        # SSE/multipart streams: a refusal before the first result (trusted documents, rate
        # limit) becomes an error event instead of a broken stream (issue 18 #9).
        lang = language(request.headers.get(LANGUAGE_HEADER))
        guarded = cast(SubscriptionExecutionResult, refusals_as_errors(result, lang=lang))
        return super()._stream_result(request, guarded, transport)

    def encode_json(self, data: object) -> str:
        # orjson: an order of magnitude faster than json.dumps on large pages. A str, not
        # bytes: WebSocket messages must stay text frames for graphql-ws clients.
        return orjson.dumps(data).decode()

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        # A multipart body is consumed by its form: no second read (issue 18 fuzz: a 500).
        multipart = (request.content_type or "").startswith("multipart/")
        if isinstance(parsed, GraphQLRequestData) and parsed.query is None and not multipart:
            # Strawberry drops `documentId` (GraphQL-over-HTTP persisted documents);
            # PersistedDocuments reads it from the operation's extensions.
            raw = (
                dict(request.query_params)
                if request.method == "GET"
                else self.parse_json(await request.get_body())
            )
            document_id = raw.get("documentId") if isinstance(raw, dict) else None
            if document_id is not None:
                parsed.extensions = {**(parsed.extensions or {}), "documentId": document_id}
        if isinstance(parsed, GraphQLRequestData) and lacks_document(parsed):
            # A stream without a document failed as a masked error (issue 18 fuzz).
            raise HTTPException(400, "No GraphQL query found in the request")
        return parsed

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        return mark_request_error(request, result, await super().process_result(request, result))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):  # the connection's: identity only, loaders lazily
            return socket_context(GatewayState.of(request), request, viewer_of(request))
        return Context.build(
            GatewayState.of(request),
            request,
            response if isinstance(response, Response) else None,
            viewer=viewer_of(request),
        )

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        if isinstance(context.request, WebSocket):
            self.websockets.add(context.request)
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if authorization is None:
            return None
        try:
            context.viewer = await authenticate(context.gateway, str(authorization))
        except UnauthenticatedError as exc:
            lang = language(context.request.headers.get(LANGUAGE_HEADER))
            raise ConnectionRejectionError(
                {"message": localise(str(exc), lang), **exc.extensions}
            ) from None
        return None

    async def reject_websocket(self, request: WebSocket) -> WebSocket:
        # A foreign Origin: a 403 with the same typed body as an HTTP refusal, not a bare 403.
        await refuse_websocket_origin(request)
        return request

    async def close_websockets(self) -> None:
        """On shutdown: tell every client to reconnect elsewhere (1001 going away)."""
        for websocket in list(self.websockets):
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await websocket.close(1001, "Server shutting down")
        self.websockets.clear()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        nonce = request.scope.get("state", {}).get(NONCE_KEY, "")
        return HTMLResponse(
            graphiql_html(endpoint="/graphql", assets_prefix=GRAPHIQL_ASSETS, nonce=nonce)
        )


def lacks_document(parsed: GraphQLRequestData) -> bool:
    """A stream request (SSE, multipart) with neither query text nor a persisted document."""
    persisted = {"persistedQuery", "documentId"} & set(parsed.extensions or {})
    return parsed.protocol != "http" and not parsed.query and not persisted
