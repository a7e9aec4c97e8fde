"""Optional OpenTelemetry tracing: one span per GraphQL operation and per upstream call.

Off unless `PORTALGRAPH_OTEL_ENDPOINT` names an OTLP/HTTP collector. The schema
extension uses sync hooks and no `resolve` hook, so fields cost nothing extra (the
stock async extension puts an awaitable on every field, ~6x per field; stack-notes §5).
The operation span is made current only while the operation executes, so DataLoader
batches started by its resolvers inherit it; each upstream call opens a client span
and sends its W3C `traceparent`. The provider is the app's own, not the global one, so
several apps in one process (tests) keep their spans apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urlsplit

from opentelemetry import context as otel_context, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from strawberry.extensions import SchemaExtension

from graph.settings import Settings
from sources.base import UpstreamRef


class Tracing:
    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("portalgraph")
        self.propagator = TraceContextTextMapPropagator()

    @classmethod
    def from_settings(cls, settings: Settings) -> Tracing | None:
        if not settings.ops.otel_endpoint:
            return None
        endpoint = settings.ops.otel_endpoint
        if urlsplit(endpoint).path in ("", "/"):
            endpoint = endpoint.rstrip("/") + "/v1/traces"
        # A short export timeout: the last flush at shutdown must fit the grace period.
        exporter = OTLPSpanExporter(endpoint=endpoint, timeout=5)
        return cls.exporting(exporter, settings.ops.otel_sample_ratio)

    @classmethod
    def exporting(
        cls, exporter: SpanExporter, sample_ratio: float = 1.0, *, batch: bool = True
    ) -> Tracing:
        """Spans go to `exporter`; `batch=False` exports each span as it ends (tests)."""
        provider = TracerProvider(
            resource=Resource.create({"service.name": "portalgraph"}),
            sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
        )
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        return cls(provider)

    def extension(self) -> Callable[[], SchemaExtension]:
        return lambda: OperationTracing(self)

    def start_upstream(
        self, upstream: UpstreamRef, method: str, headers: Mapping[str, str] | None
    ) -> tuple[Span, dict[str, str]]:
        """A client span under the current operation, and the headers carrying its context."""
        span = self.tracer.start_span(
            f"{method} {upstream}",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": method,
                "portalgraph.portal_id": upstream.portal_id,
                "portalgraph.capability": upstream.capability.value,
            },
        )
        carrier = dict(headers or {})
        self.propagator.inject(carrier, context=trace.set_span_in_context(span))
        return span, carrier

    @staticmethod
    def end_upstream(span: Span, status: int | None, code: str | None) -> None:
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if code is not None:
            span.set_attribute("error.type", code)
            span.set_status(Status(StatusCode.ERROR, code))
        span.end()

    def shutdown(self) -> None:
        self.provider.shutdown()  # flushes spans still in the batch


class OperationTracing(SchemaExtension):
    def __init__(self, tracing: Tracing) -> None:
        self.tracing = tracing
        self.span: Span = trace.INVALID_SPAN

    def on_operation(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)
        headers = getattr(request, "headers", None)
        # A client's traceparent continues its trace; without one the operation is a root.
        parent = self.tracing.propagator.extract(headers) if headers is not None else None
        self.span = self.tracing.tracer.start_span("graphql", context=parent, kind=SpanKind.SERVER)
        code: str | None = None
        try:
            yield
        except Exception as exc:
            code = str((getattr(exc, "extensions", None) or {}).get("code", type(exc).__name__))
            raise
        finally:
            self._finish(code)

    def on_execute(self) -> Iterator[None]:
        token = otel_context.attach(trace.set_span_in_context(self.span))
        try:
            yield
        finally:
            otel_context.detach(token)

    def _finish(self, refused: str | None) -> None:
        context, span = self.execution_context, self.span
        kind = "unknown"
        if context.graphql_document is not None:
            try:
                kind = context.operation_type.value
            except RuntimeError:
                kind = "unknown"
        name = context.operation_name
        span.update_name(f"{kind} {name}" if name else kind)
        span.set_attribute("graphql.operation.type", kind)
        if name:
            span.set_attribute("graphql.operation.name", name[:100])
        result = context.result
        codes = sorted(
            {str((e.extensions or {}).get("code", "")) for e in (result.errors or [])}
            if result
            else set()
        )
        if refused is not None:
            codes.append(refused)
        if codes:
            span.set_attribute("graphql.error.codes", codes)
            span.set_status(Status(StatusCode.ERROR, ",".join(codes)[:200]))
        span.end()
