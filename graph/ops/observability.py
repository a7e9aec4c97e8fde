"""What operators get, built once per app: metrics, tracing and the status page.

`create_app` asks this object for its schema extensions, middleware, routes, the
upstream observer and the counting rate limiter. What the running gateway holds
(breakers, caches, the live hub) is read at scrape time from the lifespan state; nothing
here stays in the request path except two sync hooks per operation and one context
manager per upstream call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from strawberry.extensions import SchemaExtension

from graph.context import STATE_KEY, GatewayState
from graph.extensions.ratelimit import Limiter
from graph.ops import multiproc
from graph.ops.collectors import StateCollector
from graph.ops.http_metrics import HttpMetrics
from graph.ops.metrics import CountingLimiter, Metrics, OperationMetrics
from graph.ops.status_page import status_endpoint
from graph.ops.tracing import Tracing
from graph.ops.upstream_window import UpstreamWindow
from graph.settings import Settings
from sources.base import ErrorCode, UpstreamRef
from sources.errors import SourceError
from sources.journal import JournalObserver
from sources.transport import UpstreamCall

# Upstream calls the client or the deadline gave up on: a metrics label, not the upstream's fault.
CANCELLED = "CANCELLED"


class GatewayObserver:
    """The `UpstreamObserver` feeding metrics, the status window and traces."""

    def __init__(self, metrics: Metrics, window: UpstreamWindow, tracing: Tracing | None) -> None:
        self.metrics = metrics
        self.window = window
        self.tracing = tracing

    @contextlib.contextmanager
    def call(
        self, upstream: UpstreamRef, method: str, headers: Mapping[str, str] | None
    ) -> Iterator[UpstreamCall]:
        span = None
        if self.tracing is not None:
            span, headers = self.tracing.start_upstream(upstream, method, headers)
        call = UpstreamCall(headers)
        code: str | None = None
        started = time.perf_counter()
        try:
            yield call
        except SourceError as error:
            code = error.code
            raise
        except asyncio.CancelledError:
            code = CANCELLED
            raise
        except BaseException:
            code = ErrorCode.INTERNAL_SERVER_ERROR
            raise
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.upstream_call(upstream, elapsed, code)
            failed = code is not None and code != CANCELLED
            self.window.record(upstream, elapsed, failed=failed)
            if span is not None:
                Tracing.end_upstream(span, call.status, code)

    def retried(self, upstream: UpstreamRef) -> None:
        self.metrics.upstream_retries.labels(upstream.portal_id, upstream.capability.value).inc()

    def refused(self, upstream: UpstreamRef, reason: str) -> None:
        labels = (upstream.portal_id, upstream.capability.value, reason)
        self.metrics.upstream_refusals.labels(*labels).inc()


class Observability:
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
        self.observer = GatewayObserver(self.metrics, self.window, self.tracing)
        self.journal: JournalObserver = self.metrics  # journal latency and errors

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

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/metrics", self.exposition),
            Route("/status", status_endpoint(self.window)),
        ]

    async def exposition(self, request: Request) -> Response:
        """The app's instruments, then what the running gateway holds, read right now."""
        body = multiproc.exposition(self.metrics.registry)
        gateway = request.scope.get("state", {}).get(STATE_KEY)
        if isinstance(gateway, GatewayState):
            body += generate_latest(StateCollector(gateway))
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    def close(self) -> None:
        if self.tracing is not None:
            self.tracing.shutdown()
