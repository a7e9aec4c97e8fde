"""Composition root: settings, the portal network and adapters wired into one ASGI app."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from graph.auth import JwksCache, TokenVerifier
from graph.context import Resources
from graph.graphiql import graphiql_assets_app
from graph.schema import build_schema
from graph.settings import Settings
from graph.view import GRAPHIQL_ASSETS, GatewayView
from sources._auth import CachedTokenIssuer
from sources._http import Upstream, new_client
from sources.base import AccountArea, Capability, ServiceDirectory, TokenIssuer
from sources.idp import OidcProvider
from sources.network import Network, NetworkConfigError, load_network
from sources.portal import PortalAccountArea
from sources.pvog import PvogDirectory

logger = logging.getLogger("portalgraph")


def upstream(
    client: httpx.AsyncClient, network: Network, portal_id: str, capability: Capability
) -> Upstream:
    portal = network.portal(portal_id)
    assert portal is not None
    endpoint = portal.endpoints[capability]
    return Upstream(client, endpoint.url, portal_id=portal_id, capability=capability.value)


def build_directories(network: Network, client: httpx.AsyncClient) -> dict[str, ServiceDirectory]:
    return {
        p.id: PvogDirectory(p, upstream(client, network, p.id, Capability.SERVICES))
        for p in network.with_capability(Capability.SERVICES)
    }


def build_account_areas(
    network: Network, client: httpx.AsyncClient, tokens: TokenIssuer | None
) -> dict[str, AccountArea]:
    areas: dict[str, AccountArea] = {}
    for portal in network.with_capability(Capability.ACCOUNTS):
        audience = portal.endpoints[Capability.ACCOUNTS].audience
        if tokens is None or audience is None:
            raise NetworkConfigError(
                network.source,
                f"portal {portal.id!r}: accounts need an audience and an [identity] table",
            )
        areas[portal.id] = PortalAccountArea(
            portal, upstream(client, network, portal.id, Capability.ACCOUNTS), tokens, audience
        )
    return areas


def build_identity(
    network: Network, client: httpx.AsyncClient
) -> tuple[TokenVerifier | None, TokenIssuer | None]:
    identity = network.identity
    if identity is None:
        return None, None
    secret = os.environ.get(identity.client_secret_env)
    if not secret:
        raise NetworkConfigError(
            network.source,
            f"identity: environment variable {identity.client_secret_env} is not set",
        )
    provider = OidcProvider(
        identity,
        Upstream(client, identity.issuer, portal_id="identity", capability="accounts", timeout=5.0),
        secret,
    )
    verifier = TokenVerifier(
        JwksCache(provider.fetch_jwks), issuer=identity.issuer, audience=identity.audience
    )
    return verifier, CachedTokenIssuer(provider)


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
            verifier, tokens = build_identity(portals, client)
            view.resources = Resources(
                settings=settings,
                network=portals,
                directories=build_directories(portals, client),
                account_areas=build_account_areas(portals, client, tokens),
                verifier=verifier,
            )
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
