"""What operators get, built once per app: metrics, tracing, readiness and the status page.

`create_app` asks this object for its schema extensions, middleware, routes, the
upstream observer and the counting rate limiter, and tells it what to watch once the
app has started; everything here stays out of the request path except two sync hooks
per operation and one context manager per upstream call.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Protocol

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from strawberry.extensions import SchemaExtension

from graph.extensions.ratelimit import Limiter
from graph.live import LiveHub
from graph.ops.collectors import StateCollector, Watched
from graph.ops.http_metrics import HttpMetrics
from graph.ops.metrics import CountingLimiter, Metrics, OperationMetrics
from graph.ops.status_page import status_endpoint
from graph.ops.tracing import Tracing
from graph.ops.upstream_window import UpstreamWindow
from graph.settings import Settings
from sources._cache_store import CacheStore
from sources._observe import UpstreamCall
from sources._resilience import UpstreamGuards
from sources.base import ServiceDirectory
from sources.errors import SourceError
from sources.network import Network

logger = logging.getLogger("portalgraph.readiness")
REDIS_PING_TIMEOUT = 0.5


class Wrapped(Protocol):
    """What `graph.app.Wrapping` holds for the metrics: the guards and the cache."""

    @property
    def guards(self) -> UpstreamGuards: ...

    @property
    def cache(self) -> CacheStore | None: ...


class GatewayObserver:
    """The `sources._observe.UpstreamObserver` feeding metrics, the status window and traces."""

    def __init__(self, metrics: Metrics, window: UpstreamWindow, tracing: Tracing | None) -> None:
        self.metrics = metrics
        self.window = window
        self.tracing = tracing

    @contextlib.contextmanager
    def call(
        self, portal_id: str, capability: str, method: str, headers: Mapping[str, str] | None
    ) -> Iterator[UpstreamCall]:
        span = None
        if self.tracing is not None:
            span, headers = self.tracing.start_upstream(portal_id, capability, method, headers)
        call = UpstreamCall(headers)
        code: str | None = None
        started = time.perf_counter()
        try:
            yield call
        except SourceError as error:
            code = error.code
            raise
        except asyncio.CancelledError:
            code = "CANCELLED"  # the client or the deadline gave up; not the upstream's fault
            raise
        except BaseException:
            code = "INTERNAL_SERVER_ERROR"
            raise
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.upstream_call(portal_id, capability, elapsed, code)
            failed = code is not None and code != "CANCELLED"
            self.window.record(portal_id, capability, elapsed, failed=failed)
            if span is not None:
                Tracing.end_upstream(span, call.status, code)

    def retried(self, portal_id: str, capability: str) -> None:
        self.metrics.upstream_retries.labels(portal_id, capability).inc()

    def refused(self, portal_id: str, capability: str, reason: str) -> None:
        self.metrics.upstream_refusals.labels(portal_id, capability, reason).inc()


class Readiness:
    """`/readyz`: 200 once started, with Redis answering when configured; 503 when draining.

    Upstreams are left out on purpose: one portal down must not take every replica
    out of the load balancer; their state is on `/status` and `/healthz/upstreams`.
    """

    def __init__(self, draining: Callable[[], bool]) -> None:
        self.draining = draining
        self.ready = False
        # Redis's ping; redis-py annotates it "awaitable or not" for its sync and async clients.
        self.ping: Callable[[], Awaitable[object] | object] | None = None

    async def endpoint(self, request: Request) -> JSONResponse:
        if self.draining():
            return JSONResponse({"status": "draining"}, status_code=503)
        if not self.ready:
            return JSONResponse({"status": "starting"}, status_code=503)
        if self.ping is not None:
            try:
                async with asyncio.timeout(REDIS_PING_TIMEOUT):
                    answer = self.ping()
                    if inspect.isawaitable(answer):
                        await answer
            except Exception as exc:
                logger.warning("not ready: Redis did not answer (%s)", type(exc).__name__)
                return JSONResponse({"status": "redis unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})


class Operations:
    def __init__(
        self,
        settings: Settings,
        *,
        tracing: Tracing | None = None,
        window: UpstreamWindow | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.window = window or UpstreamWindow()
        self.tracing = tracing if tracing is not None else Tracing.from_settings(settings)
        self.watched = Watched()
        self.network: Network | None = None
        self.metrics.registry.register(StateCollector(self.watched))
        self.observer = GatewayObserver(self.metrics, self.window, self.tracing)

    def extensions(self) -> list[Callable[[], SchemaExtension]]:
        """Outermost first, so refusals by the hardening extensions are counted too."""
        found: list[Callable[[], SchemaExtension]] = [lambda: OperationMetrics(self.metrics)]
        if self.tracing is not None:
            found.append(self.tracing.extension())
        return found

    def limiter(self, limiter: Limiter) -> Limiter:
        return CountingLimiter(limiter, self.metrics)

    def middleware(self) -> Middleware:
        return Middleware(HttpMetrics, metrics=self.metrics)

    def readiness(self, draining: Callable[[], bool]) -> Readiness:
        return Readiness(draining)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/metrics", self.metrics.exposition),
            Route("/status", status_endpoint(self.status_data)),
        ]

    def watch(
        self,
        network: Network,
        wrapping: Wrapped,
        directories: Mapping[str, ServiceDirectory],
        live: LiveHub,
    ) -> None:
        self.network = network
        self.watched.guards = wrapping.guards
        self.watched.directories = directories
        self.watched.live = live
        self.watched.cache_status = wrapping.cache.status if wrapping.cache else None

    def status_data(self) -> tuple[Network | None, UpstreamGuards | None, UpstreamWindow]:
        return self.network, self.watched.guards, self.window

    def close(self) -> None:
        if self.tracing is not None:
            self.tracing.shutdown()
