"""Scenario 4: memory per idle subscription and event-to-client latency.

Per repetition a fresh gateway (bench/live_gateway.py, core 0) and a client process
(bench/ws_clients.py, core 1). Memory per subscription is the gateway's RSS growth
between a warm-up batch of connections (which pays the allocator's one-off growth)
and 1,000 resp. 10,000 open connections, divided by the connections added; one
subscription per connection. Latency: 1,000 events per second for 5 s, one viewer
each in turn, while 1,000 connections are open.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.load import median_spread, percentile
from bench.procs import CLIENT_CORE, Gateway, Sandbox, ended, pinned, spawn

WARM = 200


def sign(sandbox: Sandbox, viewers: int) -> list[str]:
    idp = sandbox.urls["identity" if sandbox.topology else "identity/idp"]
    now = int(time.time())
    tokens = []
    with httpx.Client(trust_env=False, timeout=30) as http:
        for n in range(viewers):
            claims = {
                "iss": idp,
                "aud": "portalgraph",
                "sub": f"bench-viewer-{n:05d}",
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
                "acr": "STORK-QAA-Level-3",
                "amr": ["ELSTER"],
            }
            tokens.append(
                http.post(idp + "/_sandbox/sign", json={"claims": claims}).json()["token"]
            )
    return tokens


class Clients:
    def __init__(self, url: str) -> None:
        argv = [sys.executable, "-m", "bench.ws_clients", url, "1"]
        self.proc = spawn(
            pinned(CLIENT_CORE, argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, command: dict[str, Any]) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        ended(self.proc, 60)


def heap_per_sub(sandbox: Sandbox, tokens: list[str], size: int) -> float:
    """KiB of Python heap per idle subscription (tracemalloc, so no allocator slack)."""
    gateway = Gateway(
        sandbox.network,
        [sys.executable, "-m", "bench.live_gateway"],
        BENCH_TRACEMALLOC="1",
        PORTALGRAPH_POLL_INTERVAL="3600",
        # Every benchmark socket comes from loopback: lift the per-client cap (issue 18 #6).
        PORTALGRAPH_WS_MAX_PER_CLIENT="100000",
    )
    clients = Clients(gateway.url)
    http = httpx.Client(trust_env=False, timeout=120)
    try:
        traced: list[float] = []
        for done, total in ((0, WARM), (WARM, size)):
            clients.ask({"open": tokens[done:total]})
            while http.get(gateway.url + "/_bench/subscribers").json()["subscribers"] < total:
                time.sleep(0.05)
            wait_idle(gateway)
            traced.append(float(http.get(gateway.url + "/_bench/heap").json()["traced"]))
    finally:
        http.close()
        clients.stop()
        gateway.stop()
    return (traced[1] - traced[0]) / (size - WARM) / 1024


def wait_idle(gateway: Gateway) -> None:
    # Subscribing starts work in the background (application lists, the first poll of
    # each watch): measure once the gateway has gone idle.
    idle_since = gateway.cpu_s()
    for _ in range(600):
        time.sleep(0.25)
        busy, idle_since = gateway.cpu_s() - idle_since, gateway.cpu_s()
        if busy < 0.02:
            return


def latency_gateway(network: Path) -> Gateway:
    """The gateway of a latency run: no polls during it, room for 1,000 queued events."""
    return Gateway(
        network,
        [sys.executable, "-m", "bench.live_gateway"],
        PORTALGRAPH_POLL_INTERVAL="3600",
        PORTALGRAPH_SUBSCRIPTION_QUEUE="1000",
        PORTALGRAPH_SUBSCRIPTIONS_PER_VIEWER="20",
        PORTALGRAPH_WS_MAX_PER_CLIENT="100000",
    )


def one_rep(
    sandbox: Sandbox, tokens: list[str], sizes: tuple[int, int], events: int, large: bool
) -> dict[str, float]:
    gateway = latency_gateway(sandbox.network)
    clients = Clients(gateway.url)
    http = httpx.Client(trust_env=False, timeout=120)
    out: dict[str, float] = {}
    try:
        viewers = len(tokens)
        wanted = [tokens[n % viewers] for n in range(sizes[1])]

        def open_to(total: int, done: int) -> float:
            clients.ask({"open": wanted[done:total]})
            while http.get(gateway.url + "/_bench/subscribers").json()["subscribers"] < total:
                time.sleep(0.05)
            wait_idle(gateway)
            return float(gateway.mem_kib()["VmRSS"])

        base = open_to(WARM, 0)
        small = open_to(sizes[0], WARM)
        out["kib_per_sub_small"] = (small - base) / (sizes[0] - WARM)
        cpu = gateway.cpu_s()
        published = http.post(
            gateway.url + f"/_bench/publish?events={events}&viewers={sizes[0]}"
        ).json()
        latencies = clients.ask({"collect": events, "timeout": 30})
        out["event_cpu_ms"] = (gateway.cpu_s() - cpu) / events * 1000
        out["delivered"] = len(latencies) / events
        out["events_per_s"] = events / published["seconds"]
        out["p50_ms"] = percentile(latencies, 0.5) * 1000
        out["p99_ms"] = percentile(latencies, 0.99) * 1000
        if large:
            rss = open_to(sizes[1], sizes[0])
            out["kib_per_sub_large"] = (rss - base) / (sizes[1] - WARM)
            out["rss_large_kib"] = rss
    finally:
        http.close()
        clients.stop()
        gateway.stop()
    return out


async def live_figures(opts: argparse.Namespace, sandbox: Sandbox) -> dict[str, Any]:
    sizes, events = ((300, 600), 300) if opts.smoke else ((1000, opts.live_large), 5000)
    tokens = sign(sandbox, sizes[0])
    # Setting up 9,000 more subscriptions takes the gateway about 90 s of CPU (each
    # subscription lists the viewer's applications at every portal), so only the first
    # repetition goes on to the large size; RESULTS.md says so.
    reps = [one_rep(sandbox, tokens, sizes, events, n == 0) for n in range(opts.reps)]
    # One run only: tracemalloc slows the gateway down, and the figure hardly varies.
    heap = float("nan") if opts.smoke else heap_per_sub(sandbox, tokens, sizes[0])
    return {
        "heap_kib_per_sub": (heap, heap, heap),
        "sizes": sizes,
        "events": events,
        **{key: median_spread([r[key] for r in reps if key in r]) for key in reps[0]},
    }
