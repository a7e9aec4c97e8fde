"""Composition root: settings, the portal network and adapters wired into one ASGI app.

The lifespan builds the running state once and yields it as Starlette lifespan state
(`{"gateway": GatewayState}`); middleware, the view and the endpoints read it from each
request's scope. Nothing is assigned to an object after it was built.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, request_response

from graph.context import STATE_KEY, GatewayState
from graph.domain.live import audience_of
from graph.domain.submitting import DeskJournal
from graph.domain.uploads import UploadLimits
from graph.extensions.hardening import Hardening
from graph.extensions.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from graph.http.auth import BearerAuth
from graph.http.callbacks import callback_app
from graph.http.deadline import RequestDeadline
from graph.http.downloads import SignedLinkAuth, download_attachment
from graph.http.graphiql import graphiql_assets_app
from graph.http.health import healthz, readiness, upstream_status
from graph.http.response_cache import ResponseCache, ResponseCacheMiddleware
from graph.http.security import security_middleware
from graph.http.slow_clients import BodyIdleTimeout
from graph.http.spec import GraphQLResponseType
from graph.http.uploads import UploadBodyLimit, configure_spooling
from graph.http.view import GRAPHIQL_ASSETS, GatewayView
from graph.http.ws_entry import Gateway, SocketEntry
from graph.ops.journal import open_journal, purge_loop, subject_keys
from graph.ops.live import running_live
from graph.ops.observability import Observability
from graph.schema import build_schema
from graph.settings import Settings
from graph.wiring.adapters import build_adapters
from graph.wiring.identity import audience_key
from graph.wiring.wrapping import build_wrapping
from sources._pool import new_client
from sources.base import VirusScanner
from sources.redis_events import RedisLock, healing_client
from sources.topology import Topology, load_topology

logger = logging.getLogger("portalgraph")


def build_hardening(
    settings: Settings, ops: Observability
) -> tuple[Hardening, Callable[[], Awaitable[None]]]:
    """The schema's limits and the rate limiter they share with attachment downloads."""
    limiter, close_limiter = build_rate_limiter(settings)
    return Hardening.from_settings(settings, ops.limiter(limiter)), close_limiter


def create_app(
    settings: Settings | None = None,
    *,
    topology: Topology | None = None,
    scanner: VirusScanner | None = None,
    observability: Observability | None = None,
) -> Starlette:
    """Build the gateway. The network file (version 2, docs/topology.md) is read and
    validated when the app starts; `topology` replaces it (tests).

    `scanner` is the virus-scan hook for uploaded attachments (default: none);
    `observability` the metrics, tracing and status page (default: from the settings).
    """
    settings = settings or Settings.from_env()
    ops = observability or Observability(settings)
    configure_spooling(settings.uploads.spool_bytes)
    hardening, close_limiter = build_hardening(settings, ops)
    view = GatewayView(
        build_schema(
            production=settings.is_production,
            hardening=hardening,
            observers=ops.extensions(),
        ),
        graphiql=not settings.is_production,
        connection_init_timeout=settings.live.connection_init_timeout,
        subscriptions_per_connection=settings.live.subscriptions_per_connection,
        shutdown_delay=settings.ops.shutdown_delay,
        allowed_origins=settings.server.cors_origin_list,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, GatewayState]]:
        portals = topology or load_topology(settings.server.network)
        async with contextlib.AsyncExitStack() as stack:
            upstream = settings.upstream
            client = await stack.enter_async_context(
                new_client(
                    connect_timeout=upstream.connect_timeout, read_timeout=upstream.read_timeout
                )
            )
            stack.push_async_callback(close_limiter)
            redis_client = None
            if settings.server.redis_url:
                redis_client = healing_client(settings.server.redis_url)
                stack.push_async_callback(redis_client.aclose)
            stack.callback(ops.close)
            journal = await stack.enter_async_context(open_journal(settings, ops.journal))
            desk = DeskJournal(
                journal,
                subject_keys(settings),
                partial(audience_of, audience_key(settings, portals)),
                lease_seconds=settings.journal.lease_seconds,
                busy_wait=settings.journal.busy_wait,
            )
            wrapping = build_wrapping(settings, stack, ops.observer)
            adapters, verifier = build_adapters(
                portals,
                client,
                settings.secrets,
                wrapping,
                stack,
                journal=desk,
                callback_base=settings.journal.callback_base_url,
            )
            if scanner is not None:
                adapters = dataclasses.replace(adapters, scanner=scanner)
            live = await stack.enter_async_context(
                running_live(
                    settings,
                    adapters,
                    audience_key=audience_key(settings, portals),
                    journal=journal,
                    subject_key=desk.subject_keys,
                    lock=RedisLock(redis_client) if redis_client else None,
                )
            )
            purging = asyncio.create_task(purge_loop(journal, settings, live.lock))
            stack.push_async_callback(cancelled, purging)
            state = GatewayState(
                settings=settings,
                topology=portals,
                adapters=adapters,
                verifier=verifier,
                live=live,
                guards=wrapping.guards,
                cache=wrapping.cache,
                ping=redis_client.ping if redis_client else None,
                download_wait=hardening.download_wait,
                journal=journal,
                subject_keys=desk.subject_keys,
            )
            logger.info("portalgraph ready with %d portals", len(adapters.portals))
            try:
                yield {STATE_KEY: state}
            finally:
                await view.close_websockets()

    graphql = GraphQLResponseType(
        UploadBodyLimit(
            ResponseCacheMiddleware(
                BearerAuth(view, docs=not settings.is_production), cache=response_cache(settings)
            ),
            json_bytes=settings.server.max_body_bytes,
            limits=UploadLimits.parse(
                settings.uploads.max_bytes, settings.uploads.max_files, settings.uploads.types
            ),
            spool_total=settings.uploads.spool_total_bytes,  # issue 18 #3
        )
    )
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route(
            "/attachments/{message_id}/{attachment_id}",
            SignedLinkAuth(request_response(download_attachment)),
            methods=["GET"],
        ),
        Route("/hooks/fitconnect/{portal}", callback_app, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readiness(lambda: view.draining)),
        Route("/healthz/upstreams", upstream_status),
        *ops.routes(),
    ]
    if not settings.is_production:
        routes.append(
            Mount(GRAPHIQL_ASSETS, app=graphiql_assets_app(settings.server.graphiql_vendor_dir))
        )
    # A WebSocket bypasses the HTTP middleware below: its checks are SocketEntry's; both
    # run in a fresh context (Gateway wraps them in FreshContext, outermost).
    sockets = SocketEntry(
        view,
        path="/graphql",
        per_client=settings.live.ws_max_per_client,
        gauge=ops.metrics.websockets,
    )
    app = Gateway(
        sockets=sockets,
        routes=routes,
        lifespan=lifespan,
        middleware=[
            ops.middleware(),
            *security_middleware(settings.server.cors_origin_list),
            Middleware(RequestDeadline, seconds=settings.upstream.request_deadline),
            Middleware(BodyIdleTimeout, seconds=settings.server.client_body_timeout),  # issue 18 #6
        ],
    )
    # `/graphql/` would redirect to a URL built from the Host header (issue 18 #9): 404.
    app.router.redirect_slashes = False
    app.state.view = view  # the server drains this view's WebSockets on shutdown
    app.state.observability = ops  # tests read its metrics
    return app


async def cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def response_cache(settings: Settings) -> ResponseCache | None:
    seconds = settings.cache.response_seconds
    if seconds is None:
        return None
    return ResponseCache(seconds, settings.cache.response_max_entries)


def build_rate_limiter(settings: Settings) -> tuple[Limiter, Callable[[], Awaitable[None]]]:
    """Redis GCRA shared by every replica when Redis is configured, else per process."""
    if not settings.server.redis_url:
        return MemoryLimiter(), _nothing
    client = redis.from_url(settings.server.redis_url, socket_timeout=0.25)
    return RedisLimiter(client), client.aclose


async def _nothing() -> None:
    return None
