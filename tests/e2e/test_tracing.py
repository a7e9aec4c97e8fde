"""OpenTelemetry: one span per operation, one per upstream call, `traceparent` to upstreams."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from strawberry.extensions import SchemaExtension

from graph.app import create_app
from graph.ops.metrics import Metrics, OperationMetrics
from graph.ops.observability import GatewayObserver, Observability
from graph.ops.tracing import OperationTracing, Tracing
from graph.ops.upstream_window import UpstreamWindow
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from sources._http import Upstream
from sources.base import Capability, UpstreamRef
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import DASHBOARD
from tests.helpers.citizen_links import learn_links

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def traced(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[tuple[Gateway, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    settings = gateway_settings.override(otel_endpoint="http://127.0.0.1:9/unused")
    observability = Observability(settings, tracing=Tracing.exporting(exporter, batch=False))
    server = UvicornServer(create_app(settings, observability=observability))
    loop_thread.call(server.start())
    gateway = Gateway(server.url)
    yield gateway, exporter
    gateway.http.close()
    loop_thread.call(server.stop())


def test_tracing_is_off_by_default_and_adds_no_per_field_hook() -> None:
    assert Observability(Settings()).tracing is None
    configured = Tracing.from_settings(Settings().override(otel_endpoint="http://collector:4318"))
    assert configured is not None
    configured.shutdown()
    for extension in (OperationTracing, OperationMetrics):
        assert extension.resolve is SchemaExtension.resolve
        assert not inspect.isasyncgenfunction(extension.on_operation)


def test_an_operation_span_parents_every_upstream_call_span(
    traced: tuple[Gateway, InMemorySpanExporter], sandbox: Sandbox
) -> None:
    gateway, exporter = traced
    token = sandbox.demo_token("erika")
    learn_links(gateway, token, ["koeln"])  # this gateway's own journal: Köln's link first
    exporter.clear()
    body = gateway.query(DASHBOARD, token=token)
    assert "errors" not in body
    spans = exporter.get_finished_spans()
    [operation] = [s for s in spans if s.kind is SpanKind.SERVER]
    assert operation.name == "query Dashboard"
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.name"] == "Dashboard"
    calls = [s for s in spans if s.kind is SpanKind.CLIENT]
    # Köln's account area, and FIT-Connect's event log (one upstream for every portal).
    assert {s.name.split(" ")[1] for s in calls} >= {"koeln/accounts", "fitconnect/status"}
    # Fetching the issuer's keys to check the token happens before the operation starts.
    for call in [c for c in calls if c.parent is not None or c.name != "GET identity/accounts"]:
        assert call.context is not None
        assert operation.context is not None
        assert call.context.trace_id == operation.context.trace_id
        assert call.parent is not None
        assert call.parent.span_id == operation.context.span_id
        assert call.attributes is not None
        # A case's event log is looked for at the default FIT-Connect host first: the
        # sandbox has one per destination group, so a case elsewhere answers 404 there once.
        probed = call.name.split(" ")[1].startswith("fitconnect")
        assert call.attributes["http.response.status_code"] in ((200, 404) if probed else (200,))


def test_a_client_traceparent_continues_its_trace(
    traced: tuple[Gateway, InMemorySpanExporter],
) -> None:
    gateway, exporter = traced
    exporter.clear()
    response = gateway.http.post(
        "/graphql",
        json={"query": "query Portals { portals { id } }"},
        headers={"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"},
    )
    assert response.status_code == 200
    [operation] = exporter.get_finished_spans()
    assert operation.context is not None
    assert operation.parent is not None
    assert format(operation.context.trace_id, "032x") == CLIENT_TRACE
    assert format(operation.parent.span_id, "016x") == CLIENT_SPAN


async def test_upstream_requests_carry_the_call_span_as_traceparent() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting(exporter, batch=False)
    seen: list[httpx.Headers] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"ok": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        for observer in (GatewayObserver(Metrics(), UpstreamWindow(), tracing), None):
            upstream = Upstream(
                client, "http://portal.test", ref=UpstreamRef("koeln", Capability.INBOX)
            )
            if observer is not None:
                upstream.observer = observer
            await upstream.send_json("GET", "/x", headers={"Accept": "application/json"})
    [span] = exporter.get_finished_spans()
    assert span.context is not None
    _version, trace_id, span_id, _flags = seen[0]["traceparent"].split("-")
    assert (trace_id, span_id) == (
        format(span.context.trace_id, "032x"),
        format(span.context.span_id, "016x"),
    )
    assert seen[0]["accept"] == "application/json"
    assert "traceparent" not in seen[1]  # tracing off: nothing added
