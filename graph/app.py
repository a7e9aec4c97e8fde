"""Composition root: settings, the portal network and adapters wired into one ASGI app."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from graph.context import Resources
from graph.graphiql import graphiql_assets_app
from graph.schema import build_schema
from graph.settings import Settings
from graph.view import GRAPHIQL_ASSETS, GatewayView
from sources._http import Upstream, new_client
from sources.base import Capability, ServiceDirectory
from sources.network import Network, load_network
from sources.pvog import PvogDirectory

logger = logging.getLogger("portalgraph")


def build_directories(network: Network, client: httpx.AsyncClient) -> dict[str, ServiceDirectory]:
    directories: dict[str, ServiceDirectory] = {}
    for portal in network.with_capability(Capability.SERVICES):
        endpoint = portal.endpoints[Capability.SERVICES]
        upstream = Upstream(
            client, endpoint.url, portal_id=portal.id, capability=Capability.SERVICES.value
        )
        directories[portal.id] = PvogDirectory(portal, upstream)
    return directories


def create_app(settings: Settings | None = None, *, network: Network | None = None) -> Starlette:
    """Build the gateway. The network file is read and validated when the app starts."""
    settings = settings or Settings.from_env()
    view = GatewayView(
        build_schema(production=settings.is_production), graphiql=not settings.is_production
    )
    state = {"ready": False}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        portals = network or load_network(settings.network)
        async with new_client(
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        ) as client:
            view.resources = Resources.build(settings, portals, build_directories(portals, client))
            state["ready"] = True
            logger.info("portalgraph ready with %d portals", len(portals.portals))
            try:
                yield
            finally:
                state["ready"] = False

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        ready = state["ready"]
        return JSONResponse(
            {"status": "ready" if ready else "starting"}, status_code=200 if ready else 503
        )

    routes: list[BaseRoute] = [
        Route("/graphql", view, methods=["GET", "POST"], max_body_size=settings.max_body_bytes),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    if not settings.is_production:
        routes.append(Mount(GRAPHIQL_ASSETS, app=graphiql_assets_app()))
    return Starlette(routes=routes, lifespan=lifespan)
