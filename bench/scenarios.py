"""HTTP scenarios (search, dashboard, 500-message page): gateway and floor, same load.

Each measurement runs the floor (bench/floor_proc.py on the gateway's core) and then
the gateway with the same concurrency, the same citizens in the same order and the
same duration; the gateway's load comes from this process on the other core.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from bench.dashboard import DASHBOARD
from bench.load import Http1, closed_loop, pick, summary
from bench.procs import GATEWAY_CORE, Gateway, ended, pinned, spawn

SEARCH = """query Search($ars: String, $q: String) { services(ars: $ars, query: $q, first: 20) {
  totalCount edges { node { name tier originPortal { name }
    responsibleAuthority { name phone addresses { street postalCode city } } } } } }"""
INBOX = """{ me { inbox(first: 500) { edges { node {
  id subject sender service reference isNotice receivedAt readAt isRead locked } } } } }"""
SEARCH_ARS = "053150000000"  # Köln: federal, state and municipal descriptions merge


class FloorProc:
    def __init__(self, urls: Path, tokens: Path) -> None:
        argv = [sys.executable, "-m", "bench.floor_proc", str(urls), str(tokens)]
        self.proc = spawn(
            pinned(GATEWAY_CORE, argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def run(self, **spec: Any) -> dict[str, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(spec) + "\n")
        self.proc.stdin.flush()
        result: dict[str, float] = json.loads(self.proc.stdout.readline())
        return result

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        ended(self.proc, 10)


def body_of(op: str) -> bytes:
    if op == "search":
        return orjson.dumps({"query": SEARCH, "variables": {"ars": SEARCH_ARS, "q": None}})
    return orjson.dumps({"query": DASHBOARD if op == "dashboard" else INBOX})


async def gateway_run(
    gateway: Gateway,
    op: str,
    tokens: list[str],
    *,
    concurrency: int,
    seconds: float,
    seed: int,
    body: bytes | None = None,
) -> dict[str, float]:
    """Closed-loop load on the gateway; CPU of both sides per request. `body` replaces the
    op's query (then "search" sends no token, any other op `tokens[0]`)."""
    body = body or body_of(op)
    connections = [Http1(gateway.url) for _ in range(concurrency)]

    async def work(worker: int, n: int) -> bool:
        headers = ""
        if op != "search":
            token = tokens[pick(seed, worker, n, len(tokens))] if op == "dashboard" else tokens[0]
            headers = f"Authorization: Bearer {token}\r\n"
        status, answer = await connections[worker].post("/graphql", body, headers)
        return status == 200 and b'"errors"' not in answer

    cpu, own = gateway.cpu_s(), time.process_time()
    run = await closed_loop(work, concurrency, seconds, 1_000_000)
    gateway_cpu, client_cpu = gateway.cpu_s() - cpu, time.process_time() - own
    for connection in connections:
        await connection.close()
    done = max(len(run.latencies), 1)
    return {
        **summary(run),
        "cpu_ms_per_req": gateway_cpu / done * 1000,
        "client_cpu_ms_per_req": client_cpu / done * 1000,
    }


def floor_run(
    floor: FloorProc, op: str, *, concurrency: int, seconds: float, seed: int, **extra: Any
) -> dict[str, float]:
    result = floor.run(
        op=op, concurrency=concurrency, seconds=seconds, limit=1_000_000, seed=seed, **extra
    )
    result["cpu_ms_per_req"] = result.pop("cpu_s") / max(result["n"], 1) * 1000
    return result


async def one_by_one(gateway: Gateway, op: str, tokens: list[str]) -> None:
    """Each token once, sequentially: the call-count check."""
    connection = Http1(gateway.url)
    for token in tokens:
        headers = f"Authorization: Bearer {token}\r\n" if op != "search" else ""
        status, answer = await connection.post("/graphql", body_of(op), headers)
        assert status == 200 and b'"errors"' not in answer, answer[:300]
    await connection.close()


def calls_ratio(gateway: dict[str, int], floor: dict[str, int]) -> dict[str, Any]:
    """Upstream calls of the gateway over the floor's for the same queries, per route."""
    routes = sorted(set(gateway) | set(floor))
    differ = {
        r: [gateway.get(r, 0), floor.get(r, 0)]
        for r in routes
        if gateway.get(r, 0) != floor.get(r, 0)
    }
    total_floor = sum(floor.values())
    return {
        "gateway_calls": sum(gateway.values()),
        "floor_calls": total_floor,
        "ratio": sum(gateway.values()) / total_floor if total_floor else float("nan"),
        "differences": differ,
    }
