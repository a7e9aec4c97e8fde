"""What the unknown-region check costs a `services(ars:)` search (issue 20 point 4).

Usage: .venv/bin/python -m bench.region_check [--latency-ms 20] [--requests 60]
Starts the sandbox (every upstream answering after `--latency-ms`) and a gateway with the
public-data cache on, then searches services for four ARS: Köln (a portal's own region:
no lookup), Bochum (a place without a portal: one directory lookup, then cached), Bochum
again with the check switched off in-process (the baseline), and 059999999999 (no such
place: UNKNOWN_REGION). Prints the first request's latency and `/v3/locations` calls,
then the median and p95 of the following requests and their locations calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import httpx

from bench.sandbox_file import started_sandbox
from bench.sandbox_proc import control_tls
from graph.app import create_app
from graph.resolvers import known_regions
from graph.settings import Settings
from graph.testing import UvicornServer
from sandbox.topology_runner import TopologySandbox

SEARCH = "query($a: String) { services(ars: $a) { totalCount } }"
CASES = (
    ("portal region (Köln)", "053150000000", True),
    ("place without portal (Bochum)", "059110000000", True),
    ("place without portal, check off (Dortmund)", "059130000000", False),
    ("no such place", "059999999999", True),
)


async def locations_calls(http: httpx.AsyncClient, sandbox: TopologySandbox) -> int:
    total = 0
    for url in sandbox.urls.values():
        calls = (await http.get(url + "/_sandbox/stats")).json().get("calls", {})
        total += sum(n for path, n in calls.items() if "/v3/locations" in path)
    return total


async def reset(http: httpx.AsyncClient, sandbox: TopologySandbox) -> None:
    for url in sandbox.urls.values():
        await http.delete(url + "/_sandbox/stats")


async def run_case(
    http: httpx.AsyncClient, url: str, sandbox: TopologySandbox, ars: str, requests: int
) -> dict[str, Any]:
    async def one() -> float:
        started = time.perf_counter()
        response = await http.post(url, json={"query": SEARCH, "variables": {"a": ars}})
        assert response.status_code == 200, response.text[:300]
        return (time.perf_counter() - started) * 1000

    await reset(http, sandbox)
    first = await one()
    first_calls = await locations_calls(http, sandbox)
    await reset(http, sandbox)
    samples = sorted([await one() for _ in range(requests)])
    return {
        "first_ms": round(first, 1),
        "first_locations_calls": first_calls,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
        "later_locations_calls": await locations_calls(http, sandbox),
    }


async def main(latency_ms: int, requests: int) -> dict[str, Any]:
    sandbox, path = await started_sandbox()
    settings = Settings.from_env().override(
        network=str(path),
        log_level="warning",
        data_dir=str(path.parent),
        cache=True,
        rate_limit_anonymous=1_000_000,
    )
    server = UvicornServer(create_app(settings))
    await server.start()
    results: dict[str, Any] = {"injected_latency_ms": latency_ms, "requests": requests}
    checked = known_regions.check_region
    tls = control_tls(sandbox.folder)
    async with httpx.AsyncClient(trust_env=False, timeout=30, verify=tls) as http:
        for name, url in sandbox.urls.items():
            if name != "identity":
                await http.put(url + "/_sandbox/faults", json={"latency_ms": latency_ms})
        for name, ars, check in CASES:
            if not check:  # the baseline: the same search without the check (in-process)
                known_regions.check_region = skip_check
            results[name] = await run_case(http, server.url + "/graphql", sandbox, ars, requests)
            known_regions.check_region = checked
    await server.stop()
    await sandbox.stop()
    return results


async def skip_check(*_args: object, **_kwargs: object) -> None:
    return None


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.latency_ms, args.requests)), indent=2))
