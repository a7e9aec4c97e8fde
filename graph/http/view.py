"""The GraphQL endpoint: Strawberry's ASGI view with our Context, auth and offline GraphiQL."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping, Sequence
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
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

from graph.context import Context, Resources
from graph.errors import UnauthenticatedError, http_refusal
from graph.http.graphiql import graphiql_html
from graph.http.introspection import is_introspection_request
from graph.http.response_cache import ResponseCache
from graph.http.security import NONCE_KEY
from graph.http.spec import NegotiatedSSETransport, mark_request_error, negotiate
from graph.messages import HEADER as LANGUAGE_HEADER, Language, language, localise
from sources.base import ViewerRecord

GRAPHIQL_ASSETS = "/graphiql/assets"
# Every view of this process, so the server can drain them on shutdown.
ACTIVE_VIEWS: weakref.WeakSet[GatewayView] = weakref.WeakSet()


class GatewayView(GraphQL[Context, None]):
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
        response_cache: ResponseCache | None = None,
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
        self.resources: Resources | None = None
        self.response_cache = response_cache
        self.websockets: weakref.WeakSet[WebSocket] = weakref.WeakSet()
        self.draining = False
        ACTIVE_VIEWS.add(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # HTTP requests are authenticated before Strawberry sees them, so a bad token
        # is a 401 with a GraphQL-shaped body instead of a half-executed operation.
        authorization = (
            Headers(scope=scope).get("authorization") if scope["type"] == "http" else None
        )
        request = Request(scope, receive) if scope["type"] == "http" else None
        if authorization is not None:
            try:
                scope.setdefault("state", {})["viewer"] = await self.authenticate(authorization)
            except UnauthenticatedError as exc:
                # With GraphiQL on (development), a bad token still lets the docs load.
                docs = self.graphql_ide is not None and request is not None
                if not (docs and request and await is_introspection_request(request)):
                    lang = language(Headers(scope=scope).get(LANGUAGE_HEADER))
                    await unauthenticated_response(exc, lang)(scope, receive, send)
                    return
        if request is not None:
            # As Strawberry's own __call__, but refusals answer in GraphQL's error shape.
            cache, key = self.response_cache, None
            if cache is not None and authorization is None:
                key = await cache.key(request)  # the body stays readable: Request keeps it
                hit = cache.get(key) if key is not None else None
                if hit is not None:
                    await negotiate(request, hit)(scope, receive, send)
                    return
            try:
                response = await self.run(request)
            except HTTPException as exc:
                response = http_refusal(exc, language(request.headers.get(LANGUAGE_HEADER)))
            finally:
                await request.close()  # removes the spooled files of multipart uploads
            if cache is not None and key is not None:
                cache.put(key, response)
            await negotiate(request, response)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def encode_json(self, data: object) -> str:
        # orjson: an order of magnitude faster than json.dumps on large pages. A str, not
        # bytes: WebSocket messages must stay text frames for graphql-ws clients.
        return orjson.dumps(data).decode()

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        if isinstance(parsed, GraphQLRequestData) and parsed.query is None:
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
        return parsed

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        return mark_request_error(request, result, await super().process_result(request, result))

    async def authenticate(self, authorization: str) -> ViewerRecord:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthenticatedError("Send the access token as 'Authorization: Bearer <token>'.")
        if self.resources is None or self.resources.verifier is None:
            raise UnauthenticatedError("Sign-in is not configured on this gateway.")
        return await self.resources.verifier.verify(token.strip())

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if self.resources is None:
            raise RuntimeError("the gateway has not finished starting")
        viewer = request.scope.get("state", {}).get("viewer")
        return Context.build(
            self.resources,
            request,
            response if isinstance(response, Response) else None,
            viewer=viewer,
        )

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        if isinstance(context.request, WebSocket):
            self.websockets.add(context.request)
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if authorization is None:
            return None
        try:
            context.viewer = await self.authenticate(str(authorization))
        except UnauthenticatedError as exc:
            lang = language(context.request.headers.get(LANGUAGE_HEADER))
            raise ConnectionRejectionError(
                {"message": localise(str(exc), lang), **exc.extensions}
            ) from None
        return None

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


def unauthenticated_response(error: UnauthenticatedError, lang: Language = "en") -> JSONResponse:
    # RFC 6750 §3: error_description is for the developer; extensions.reason for code.
    description = getattr(error, "description", None)
    challenge = 'Bearer error="invalid_token"'
    if description:
        challenge += f', error_description="{description}"'
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": localise(str(error), lang), "extensions": error.extensions}],
        },
        status_code=401,
        headers={"WWW-Authenticate": challenge},
    )
