"""Prometheus metrics of one gateway: operations, HTTP, upstream calls, rate limits.

Every label value is bounded: operation names must look like GraphQL names and at most
`MAX_OPERATION_NAMES` distinct ones get their own series (the rest collapse into
`other`, unnamed operations into `anonymous`); error codes likewise; portals and
capabilities come from network.toml; routes are templates. Ids, subjects, tokens,
query text and variables never become labels. State that already lives in objects
(breakers, bulkheads, caches, the event log) is read at scrape time by
`graph.ops.collectors.StateCollector` instead of being mirrored here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graph.extensions.ratelimit import Limiter
from graph.ops import multiproc
from sources.base import ErrorCode, UpstreamRef

MAX_OPERATION_NAMES = 100
MAX_CODES = 50
OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,47}$")
# Seconds; the request deadline defaults to 5 s, upstream reads to 10 s.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UPSTREAM = ("portal", "capability")


class BoundedLabel:
    """Admits at most `limit` distinct well-formed values; everything else is `overflow`."""

    def __init__(self, pattern: re.Pattern[str], limit: int, *, empty: str, overflow: str) -> None:
        self.pattern = pattern
        self.limit = limit
        self.empty = empty
        self.overflow = overflow
        self.seen: set[str] = set()

    def __call__(self, value: str | None) -> str:
        # A client may send any JSON as operationName (graphql-http audits send lists).
        if not value or not isinstance(value, str):
            return self.empty
        if value in self.seen:
            return value
        if len(self.seen) >= self.limit or not self.pattern.match(value):
            return self.overflow
        self.seen.add(value)
        return value


class Metrics:
    """The instruments of one app, in a registry of its own (tests run many apps at once)."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        if not multiproc.enabled():
            # RSS, CPU seconds, open descriptors: of one process, so not with several
            # workers, where a scrape would report whichever worker answered it.
            ProcessCollector(registry=r)
        self.operation_name = BoundedLabel(
            OPERATION_NAME, MAX_OPERATION_NAMES, empty="anonymous", overflow="other"
        )
        self.code = BoundedLabel(CODE, MAX_CODES, empty="UNKNOWN", overflow="OTHER")
        self.operations = Counter(
            "portalgraph_graphql_operations",
            "GraphQL operations by name and type",
            ["operation", "type"],
            registry=r,
        )
        self.errors = Counter(
            "portalgraph_graphql_errors",
            "GraphQL errors in responses by operation and extensions.code",
            ["operation", "code"],
            registry=r,
        )
        self.operation_seconds = Histogram(
            "portalgraph_graphql_operation_duration_seconds",
            "Time from receiving an operation to its result (subscriptions excluded)",
            ["operation", "type"],
            buckets=BUCKETS,
            registry=r,
        )
        self.http_requests = Counter(
            "portalgraph_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=r,
        )
        self.http_seconds = Histogram(
            "portalgraph_http_request_duration_seconds",
            "HTTP request latency (streams excluded)",
            ["route"],
            buckets=BUCKETS,
            registry=r,
        )
        self.upstream_calls = Counter(
            "portalgraph_upstream_calls",
            "HTTP exchanges with an upstream (each retry counts)",
            UPSTREAM,
            registry=r,
        )
        self.upstream_errors = Counter(
            "portalgraph_upstream_errors",
            "Upstream exchanges that failed, by error code",
            [*UPSTREAM, "code"],
            registry=r,
        )
        self.upstream_seconds = Histogram(
            "portalgraph_upstream_call_duration_seconds",
            "Upstream exchange latency",
            UPSTREAM,
            buckets=BUCKETS,
            registry=r,
        )
        self.upstream_retries = Counter(
            "portalgraph_upstream_retries", "Retries sent to an upstream", UPSTREAM, registry=r
        )
        self.upstream_refusals = Counter(
            "portalgraph_upstream_refusals",
            "Calls refused without sending: circuit_open, bulkhead_full, deadline",
            [*UPSTREAM, "reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "portalgraph_rate_limit_refusals",
            "Operations refused by the rate limit, by client kind (viewer, anonymous)",
            ["client"],
            registry=r,
        )
        self.journal_seconds = Histogram(
            "portalgraph_journal_operation_duration_seconds",
            "Journal (database) operations by name, e.g. submissions.claim",
            ["operation"],
            buckets=BUCKETS,
            registry=r,
        )
        self.journal_errors = Counter(
            "portalgraph_journal_errors",
            "Journal operations that failed, by error code (JOURNAL_UNAVAILABLE, …)",
            ["operation", "code"],
            registry=r,
        )
        self.websockets = Gauge(
            "portalgraph_websocket_connections",
            "Open WebSocket connections",
            registry=r,
            multiprocess_mode="livesum",  # of the workers alive now
        )

    def operation_done(
        self, context: ExecutionContext, seconds: float, failure: BaseException | None
    ) -> None:
        document = context.graphql_document
        # Without a document (a parse error, or refused before parsing) a name is unproven.
        name = self.operation_name(context.operation_name) if document else "unparsed"
        try:
            kind = context.operation_type.value if document else "unknown"
        except RuntimeError:  # a document without the requested operation
            kind = "unknown"
        self.operations.labels(name, kind).inc()
        if kind != "subscription":  # a subscription lasts as long as its client stays
            self.operation_seconds.labels(name, kind).observe(seconds)
        errors: list[Any] = list(context.result.errors or []) if context.result else []
        if failure is not None:
            errors.append(failure)
        for error in errors:
            extensions = (error.extensions if isinstance(error, GraphQLError) else None) or {}
            code = str(extensions.get("code") or ErrorCode.INTERNAL_SERVER_ERROR)
            self.errors.labels(name, self.code(code)).inc()

    def observe(self, operation: str, seconds: float, error: str | None) -> None:
        """The journal's observer hook (`JournalObserver`); its operation names are fixed."""
        self.journal_seconds.labels(operation).observe(seconds)
        if error is not None:
            self.journal_errors.labels(operation, self.code(error)).inc()

    def upstream_call(self, upstream: UpstreamRef, seconds: float, code: str | None) -> None:
        portal, capability = upstream.portal_id, upstream.capability.value
        self.upstream_calls.labels(portal, capability).inc()
        self.upstream_seconds.labels(portal, capability).observe(seconds)
        if code is not None:
            self.upstream_errors.labels(portal, capability, self.code(code)).inc()


class OperationMetrics(SchemaExtension):
    """Sync hooks only, and no `resolve` hook: no awaitable per field (stack-notes §5)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        failure: BaseException | None = None
        try:
            yield
        except Exception as exc:  # an extension refused the operation (e.g. RATE_LIMITED)
            failure = exc
            raise
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.operation_done(self.execution_context, elapsed, failure)


class CountingLimiter:
    """Counts the refusals of the wrapped rate limiter; keys start `v:` (viewer) or `ip:`."""

    def __init__(self, inner: Limiter, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def wait_time(self, key: str, per_minute: int) -> float:
        wait = await self.inner.wait_time(key, per_minute)
        if wait > 0:
            client = "viewer" if key.startswith("v:") else "anonymous"
            self.metrics.rate_limited.labels(client).inc()
        return wait
