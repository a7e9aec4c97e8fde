"""The GraphQL endpoint: Strawberry's ASGI view with our Context, auth and offline GraphiQL."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from graph.context import Context, Resources
from graph.errors import UnauthenticatedError
from graph.graphiql import graphiql_html
from sources.base import ViewerRecord

GRAPHIQL_ASSETS = "/graphiql/assets"


class GatewayView(GraphQL[Context, None]):
    def __init__(self, schema: Any, *, graphiql: bool) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        )
        self.resources: Resources | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # HTTP requests are authenticated before Strawberry sees them, so a bad token
        # is a 401 with a GraphQL-shaped body instead of a half-executed operation.
        authorization = (
            Headers(scope=scope).get("authorization") if scope["type"] == "http" else None
        )
        if authorization is not None:
            try:
                scope.setdefault("state", {})["viewer"] = await self.authenticate(authorization)
            except UnauthenticatedError as exc:
                await unauthenticated_response(exc)(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

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
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if authorization is None:
            return None
        try:
            context.viewer = await self.authenticate(str(authorization))
        except UnauthenticatedError as exc:
            raise ConnectionRejectionError(
                {"message": str(exc), "code": "UNAUTHENTICATED"}
            ) from None
        return None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html(endpoint="/graphql", assets_prefix=GRAPHIQL_ASSETS))


def unauthenticated_response(error: UnauthenticatedError) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": str(error), "extensions": error.extensions}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
