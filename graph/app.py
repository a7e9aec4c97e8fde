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

from graph.auth import TokenVerifier
from graph.context import Resources
from graph.downloads import attachment_endpoint
from graph.graphiql import graphiql_assets_app
from graph.loaders import Adapters
from graph.schema import build_schema
from graph.settings import Settings
from graph.view import GRAPHIQL_ASSETS, GatewayView
from sources._auth import CachedTokenIssuer, ExchangedBearer, ServiceBearer
from sources._http import Upstream, new_client
from sources._jwks import JwksCache
from sources.base import Capability, PortalRecord, TokenIssuer
from sources.fitconnect import FitConnectCases
from sources.idp import OidcProvider
from sources.network import Network, NetworkConfigError, load_network
from sources.portal import PortalAccountArea
from sources.postfach import PostfachBox
from sources.pvog import PvogDirectory
from sources.xbezahldienste import XBezahldienste

logger = logging.getLogger("portalgraph")


def build_adapters(
    network: Network, client: httpx.AsyncClient
) -> tuple[Adapters, TokenVerifier | None]:
    """Every upstream adapter of the network, each wrapped with the credentials it needs."""
    verifier, tokens = build_identity(network, client)
    adapters = Adapters(
        directories={
            p.id: PvogDirectory(p, _upstream(client, p, Capability.SERVICES))
            for p in network.with_capability(Capability.SERVICES)
        },
        account_areas={
            p.id: PortalAccountArea(
                p,
                _upstream(client, p, Capability.ACCOUNTS),
                _exchanged(network, p, Capability.ACCOUNTS, tokens),
            )
            for p in network.with_capability(Capability.ACCOUNTS)
        },
        postboxes={
            p.id: PostfachBox(
                p,
                _upstream(client, p, Capability.INBOX),
                _exchanged(network, p, Capability.INBOX, tokens),
            )
            for p in network.with_capability(Capability.INBOX)
        },
        case_events={
            p.id: FitConnectCases(
                p,
                _upstream(client, p, Capability.STATUS),
                _service_bearer(network, p, Capability.STATUS, tokens),
            )
            for p in network.with_capability(Capability.STATUS)
        },
        payments={
            p.id: XBezahldienste(
                p,
                _upstream(client, p, Capability.PAYMENTS),
                _service_bearer(network, p, Capability.PAYMENTS, tokens),
            )
            for p in network.with_capability(Capability.PAYMENTS)
        },
    )
    return adapters, verifier


def _upstream(client: httpx.AsyncClient, portal: PortalRecord, capability: Capability) -> Upstream:
    endpoint = portal.endpoints[capability]
    return Upstream(client, endpoint.url, portal_id=portal.id, capability=capability.value)


def _exchanged(
    network: Network, portal: PortalRecord, capability: Capability, tokens: TokenIssuer | None
) -> ExchangedBearer:
    audience = portal.endpoints[capability].audience
    if tokens is None or audience is None:
        raise NetworkConfigError(
            network.source,
            f"portal {portal.id!r}: {capability.value} needs an audience and an [identity] table",
        )
    return ExchangedBearer(tokens, audience, portal_id=portal.id, capability=capability.value)


def _service_bearer(
    network: Network, portal: PortalRecord, capability: Capability, tokens: TokenIssuer | None
) -> ServiceBearer:
    endpoint = portal.endpoints[capability]
    if tokens is None or endpoint.client_id is None or endpoint.client_secret_env is None:
        raise NetworkConfigError(
            network.source,
            f"portal {portal.id!r}: {capability.value} needs client_id, client_secret_env"
            " and an [identity] table",
        )
    return ServiceBearer(
        tokens,
        client_id=endpoint.client_id,
        client_secret=_secret(network, endpoint.client_secret_env),
        audience=endpoint.audience,
        portal_id=portal.id,
        capability=capability.value,
    )


def _secret(network: Network, name: str) -> str:
    secret = os.environ.get(name)
    if not secret:
        raise NetworkConfigError(network.source, f"environment variable {name} is not set")
    return secret


def build_identity(
    network: Network, client: httpx.AsyncClient
) -> tuple[TokenVerifier | None, TokenIssuer | None]:
    identity = network.identity
    if identity is None:
        return None, None
    provider = OidcProvider(
        identity,
        Upstream(client, identity.issuer, portal_id="identity", capability="accounts", timeout=5.0),
        _secret(network, identity.client_secret_env),
    )
    keys = JwksCache(provider.fetch_jwks, portal_id="identity", capability="accounts")
    verifier = TokenVerifier(keys, issuer=identity.issuer, audience=identity.audience)
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
            adapters, verifier = build_adapters(portals, client)
            view.resources = Resources(
                settings=settings, network=portals, adapters=adapters, verifier=verifier
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
        Route("/attachments/{message_id}/{attachment_id}", attachment_endpoint(view)),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    if not settings.is_production:
        routes.append(Mount(GRAPHIQL_ASSETS, app=graphiql_assets_app()))
    return Starlette(routes=routes, lifespan=lifespan)
