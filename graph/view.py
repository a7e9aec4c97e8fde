"""The GraphQL endpoint: Strawberry's ASGI view with our Context and offline GraphiQL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from graph.context import Context, Resources
from graph.graphiql import graphiql_html

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

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if self.resources is None:
            raise RuntimeError("the gateway has not finished starting")
        return Context.build(
            self.resources, request, response if isinstance(response, Response) else None
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html(endpoint="/graphql", assets_prefix=GRAPHIQL_ASSETS))
