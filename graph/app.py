"""Composition root: settings, the portal network and adapters wired into one ASGI app."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator

import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.context import Resources
from graph.extensions.hardening import Hardening
from graph.http.callbacks import callback_endpoint
from graph.http.downloads import attachment_endpoint
from graph.http.graphiql import graphiql_assets_app
from graph.http.response_cache import ResponseCache
from graph.http.security import security_middleware
from graph.http.spec import prefers_stream
from graph.http.uploads import UploadBodyLimit, UploadLimits, configure_spooling
from graph.http.view import GRAPHIQL_ASSETS, GatewayView
from graph.ops.observability import Operations
from graph.schema import build_schema
from graph.settings import Settings
from graph.wiring import (
    Wrapping,
    build_adapters,
    build_live,
    build_rate_limiter,
    build_wrapping,
    callback_secrets,
)
from sources._http import deadline_after, new_client
from sources.base import (
    VirusScanner,
)
from sources.network import Network, load_network
from sources.redis_events import RedisBroker

logger = logging.getLogger("portalgraph")


class RequestDeadline:
    """Give every HTTP request `seconds` for its upstream calls (see sources._http.deadline_after).

    Streams (SSE, multipart subscriptions), uploads and WebSockets live longer than any
    deadline; their upstream calls are bounded by the per-upstream timeouts instead.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else Headers()
        # Uploads (GraphQL multipart requests) take as long as their files need. urql lists
        # text/event-stream after JSON on every query: only a preferred stream counts.
        uploading = headers.get("content-type", "").startswith("multipart/form-data")
        if uploading or scope["type"] != "http" or prefers_stream(headers.get("accept", "")):
            await self.app(scope, receive, send)
            return
        with deadline_after(self.seconds):
            await self.app(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    network: Network | None = None,
    scanner: VirusScanner | None = None,
    operations: Operations | None = None,
) -> Starlette:
    """Build the gateway. The network file is read and validated when the app starts.

    `scanner` is the virus-scan hook for uploaded attachments (default: none);
    `operations` the metrics, tracing and status page (default: from the settings).
    """
    settings = settings or Settings.from_env()
    ops = operations or Operations(settings)
    configure_spooling(settings.upload_spool_bytes)
    limiter, close_limiter = build_rate_limiter(settings)
    view = GatewayView(
        build_schema(
            production=settings.is_production,
            hardening=Hardening.from_settings(settings, ops.limiter(limiter)),
            observers=ops.extensions(),
        ),
        graphiql=not settings.is_production,
        connection_init_timeout=settings.connection_init_timeout,
        subscriptions_per_connection=settings.subscriptions_per_connection,
        allowed_origins=settings.cors_origin_list,
        response_cache=ResponseCache(
            # A whole response never outlives the freshness of the data cached under it.
            min(
                settings.response_cache_ttl,
                settings.cache_ttl_services,
                settings.cache_ttl_organisations,
                settings.cache_ttl_regions,
            ),
            settings.response_cache_max_entries,
        )
        if settings.response_cache == settings.cache == "on"  # CACHE=off turns off both
        else None,
    )
    readiness = ops.readiness(lambda: view.draining)
    secrets: dict[str, str] = {}
    wrappings: list[Wrapping] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        portals = network or load_network(settings.network)
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(
                new_client(
                    connect_timeout=settings.upstream_connect_timeout,
                    read_timeout=settings.upstream_read_timeout,
                )
            )
            stack.push_async_callback(close_limiter)
            redis_client = None
            if settings.redis_url:
                redis_client = redis.from_url(settings.redis_url, socket_timeout=2.0)
                stack.push_async_callback(redis_client.aclose)
            stack.callback(ops.close)
            wrappings[:] = [build_wrapping(settings, stack)]
            wrappings[0].guards.observer = ops.observer
            adapters, verifier = build_adapters(portals, client, wrappings[0], stack)
            if scanner is not None:
                adapters = dataclasses.replace(adapters, scanner=scanner)
            live = build_live(settings, portals, adapters, redis_client)
            if isinstance(live.broker, RedisBroker):
                await live.broker.start()
                stack.push_async_callback(live.broker.close)
            await live.start()
            stack.push_async_callback(live.stop)
            secrets.update(callback_secrets(portals))
            view.resources = Resources(
                settings=settings,
                network=portals,
                adapters=adapters,
                verifier=verifier,
                live=live,
            )
            ops.watch(portals, wrappings[0], adapters.directories, live)
            readiness.ready, readiness.ping = True, redis_client.ping if redis_client else None
            logger.info("portalgraph ready with %d portals", len(portals.portals))
            try:
                yield
            finally:
                readiness.ready = False
                await view.close_websockets()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def upstream_status(request: Request) -> JSONResponse:
        """Breaker states and cache health, for operators and probes; no GraphQL needed."""
        return JSONResponse(wrappings[0].status() if wrappings else {"upstreams": []})

    routes: list[BaseRoute] = [
        Route(
            "/graphql",
            UploadBodyLimit(
                view,
                json_bytes=settings.max_body_bytes,
                limits=UploadLimits.parse(
                    settings.upload_max_bytes, settings.upload_max_files, settings.upload_types
                ),
            ),
            methods=["GET", "POST"],
        ),
        WebSocketRoute("/graphql", view),
        Route("/attachments/{message_id}/{attachment_id}", attachment_endpoint(view)),
        Route(
            "/hooks/fitconnect/{portal}",
            callback_endpoint(lambda: view.resources.live if view.resources else None, secrets),
            methods=["POST"],
        ),
        Route("/healthz", healthz),
        Route("/readyz", readiness.endpoint),
        Route("/healthz/upstreams", upstream_status),
        *ops.routes(),
    ]
    if not settings.is_production:
        routes.append(Mount(GRAPHIQL_ASSETS, app=graphiql_assets_app()))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            ops.middleware(),
            *security_middleware(settings.cors_origin_list),
            Middleware(RequestDeadline, seconds=settings.request_deadline),
        ],
    )
    app.state.view = view  # the server drains this view's WebSockets on shutdown
    app.state.operations = ops  # the server reads its drain delay; tests read the metrics
    return app
