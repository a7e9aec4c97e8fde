"""Tracing overhead: the same queries through a gateway with tracing off and one with it on.

Usage: .venv/bin/python -m bench.tracing [--requests 100] [--rounds 5]

Both gateways run in this process next to the sandbox, one after the other in alternating
rounds, so machine noise hits both alike. "On" records every trace (sample ratio 1) with
the SDK's batch processor and an exporter that discards: the cost of making spans, not
of shipping them. Queries: the "Mein Konto" dashboard (about 25 upstream calls, so 26
spans) and a service search answered from the cache (one span, no upstream call).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Sequence

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from bench.dashboard import DASHBOARD
from bench.sandbox_file import started_sandbox
from graph.app import create_app
from graph.ops.observability import Observability
from graph.ops.tracing import Tracing
from graph.settings import Settings
from graph.testing import UvicornServer

SEARCH = 'query Search { services(query: "Pass", ars: "053150000000", first: 20) { totalCount edges { node { id name } } } }'


class Discard(SpanExporter):
    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


async def timed(http: httpx.AsyncClient, url: str, query: str, token: str, n: int) -> float:
    """Mean seconds per request over `n` sequential requests."""
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for _ in range(n):
        response = await http.post(url + "/graphql", json={"query": query}, headers=headers)
        assert "errors" not in response.json(), response.text[:300]
    return (time.perf_counter() - started) / n


async def main(requests: int, rounds: int) -> dict[str, object]:
    sandbox, path = await started_sandbox()
    settings = Settings.from_env().override(
        network=str(path), log_level="warning", rate_limit_viewer=0, rate_limit_anonymous=0
    )
    exporter = Discard()
    traced = Observability(settings, tracing=Tracing.exporting(exporter))
    servers = {
        "off": UvicornServer(create_app(settings)),
        "on": UvicornServer(create_app(settings, observability=traced)),
    }
    for server in servers.values():
        await server.start()
    figures: dict[str, object] = {"requests_per_round": requests, "rounds": rounds}
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        demo = (await http.get(sandbox.urls["identity"] + "/_sandbox/demo-tokens")).json()
        token = next(d["accessToken"] for d in demo if d["login"] == "erika")
        for name, query in (("dashboard", DASHBOARD), ("cached_search", SEARCH)):
            samples: dict[str, list[float]] = {"off": [], "on": []}
            for server in servers.values():
                await timed(http, server.url, query, token, 5)  # warm caches and pools
            for n in range(rounds):
                order = ["off", "on"] if n % 2 == 0 else ["on", "off"]
                for mode in order:
                    samples[mode].append(
                        await timed(http, servers[mode].url, query, token, requests)
                    )
            off, on = statistics.median(samples["off"]), statistics.median(samples["on"])
            figures[name] = {
                "off_ms": round(off * 1000, 2),
                "on_ms": round(on * 1000, 2),
                "ratio": round(on / off, 3),
            }
    for server in servers.values():
        await server.stop()
    await sandbox.stop()
    figures["spans_exported"] = exporter.spans
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    print(json.dumps(asyncio.run(main(options.requests, options.rounds)), indent=2))
