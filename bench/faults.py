"""p99 latency of the citizen dashboard with every upstream up, and with one of them down.

    .venv/bin/python -m bench.faults [--requests 200] [--concurrency 8] [--latency-ms 20]

Starts the topology sandbox (4 municipalities) and one gateway per scenario (default
settings: deadline 5 s, retries, breaker, cache) on loopback, injects `latency-ms` into
every upstream but the mTLS payment provider, and takes Köln's account area down with
503s or by pointing the gateway at a closed port.
Everything runs in one process, so absolute figures include the load generator;
compare the rows with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.dashboard import DASHBOARD
from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer, free_port
from sandbox.topology_runner import TopologySandbox
from sources.topology import parse_topology

DOWN = "portals.koeln.accounts"  # Köln's account area: one upstream of the network
WARM_UP = 50  # the sandbox generates case data on first access


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def load(url: str, token: str, requests: int, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    degraded = failed = 0
    headers = {"Authorization": f"Bearer {token}"}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(WARM_UP + requests):
        queue.put_nowait(number)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal degraded, failed
            while not queue.empty():
                number = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post("/graphql", json={"query": DASHBOARD}, headers=headers)
                elapsed = time.perf_counter() - started
                if number < WARM_UP:
                    continue
                latencies.append(elapsed * 1000)
                body = response.json() if response.status_code == 200 else {}
                if response.status_code != 200 or body.get("data", {}).get("me") is None:
                    failed += 1
                elif body.get("errors"):
                    degraded += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "degraded": degraded,
        "failed": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    thread = LoopThread()
    sandbox = TopologySandbox(municipalities=4, seed=2026)
    thread.call(sandbox.start(), timeout=120)
    secrets = {**sandbox.env(), **os.environ}
    control = httpx.Client(timeout=10, trust_env=False)
    toml = sandbox.network_file.read_text(encoding="utf-8")
    closed = f"http://127.0.0.1:{free_port()}"

    def faults(down: int | None) -> None:
        for name, url in sandbox.urls.items():
            if url.startswith("https:"):  # the mTLS provider: no control without a cert
                continue
            fault: dict[str, Any] = {"latency_ms": args.latency_ms}
            if name == DOWN and down is not None:
                fault["status"] = down
            control.put(url + "/_sandbox/faults", json=fault).raise_for_status()

    def refused(text: str) -> str:
        return text.replace(f'url = "{sandbox.url_of(DOWN)}"', f'url = "{closed}"')

    scenarios: list[tuple[str, Callable[[str], str], int | None, dict[str, Any]]] = [
        ("every upstream up", str, None, {}),
        (f"{DOWN} down: 503", str, 503, {}),
        (f"{DOWN} down: connection refused", refused, None, {}),
        (f"{DOWN} down: 503, breaker off (for comparison)", str, 503, {"breaker_failures": 0}),
    ]
    issuer = sandbox.url_of("identity")
    tokens = control.get(issuer + "/_sandbox/demo-tokens").json()
    token = next(t["accessToken"] for t in tokens if t["login"] == "erika")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, rewrite, status, overrides in scenarios:
            unused = str(Path(scratch) / "unused.toml")
            settings = Settings.from_env(secrets).override(network=unused, **overrides)
            topology = parse_topology(rewrite(toml), source="bench")
            server = UvicornServer(create_app(settings, topology=topology))
            thread.call(server.start())
            faults(status)
            rows.append(
                (name, asyncio.run(load(server.url, token, args.requests, args.concurrency)))
            )
            thread.call(server.stop())
    control.close()
    thread.call(sandbox.stop())
    thread.close()
    print(f"$ {' '.join([Path(sys.executable).name, '-m', 'bench.faults', *sys.argv[1:]])}")
    print(
        f"dashboard query (erika), {args.requests} requests after {WARM_UP} warm-up, "
        f"concurrency {args.concurrency}, {args.latency_ms} ms on every upstream\n"
    )
    print("| scenario | p50 ms | p95 ms | p99 ms | max ms | partial | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(
            f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} "
            f"| {r['degraded']} | {r['failed']} |"
        )


if __name__ == "__main__":
    main()
