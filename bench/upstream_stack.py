"""Per-call CPU of the upstream stack: today's path against lighter clients, same upstream.

`python -m bench.upstream_stack [--calls N]` starts the sandbox (its own process, on the
client core) and, pinned to the gateway core, makes N GET calls per variant to the same
loopback PVOG directory: a small answer (one Organisationseinheit, ~0.5 KB) and the
federal search (31 descriptions, ~50 KB), sequentially (c=1) and 16 at a time (c=16).
CPU is this process's (`time.process_time`), so the sandbox's work is not in it; each
figure is the median of 3 rounds, the variants interleaved.

Variants, each ending with the decoded JSON:
- guarded on ...: the gateway's `ResilientUpstream.get_json` (breaker, bulkhead, retry
  budget, request deadline, the metrics/status-window observer, `UpstreamHttpAuth`, error
  translation) over each candidate client: httpx's client (the path before this change),
  httpx without its client, httpcore's pool (bench/stack_wires.py) and aiohttp's session
  (sources/_wire.py, the gateway's path now);
- `Upstream` on the aiohttp wire (deadline, error translation; no guards, no observer);
- bare clients with orjson: httpx's `client.get`, httpcore's pool, aiohttp's session.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpcore
import httpx
import orjson

from bench.procs import GATEWAY_CORE, Sandbox, end_all, gateway_env, pin_self
from bench.stack_wires import HttpcoreWire, HttpxLeanWire
from graph.ops.observability import Observability
from graph.settings import Settings
from sandbox.pvog_catalogue import CLIENT_ID_HEADER
from sandbox.topology_document import PVOG_CLIENT_ID
from sources._http import Upstream, deadline_after
from sources._policy import UpstreamPolicy
from sources._pool import PerOriginTransport, UpstreamClient, new_client
from sources._resilience import ResilientUpstream, UpstreamGuards
from sources._upstream_auth import UpstreamHttpAuth
from sources._wire import Wire
from sources.base import Capability, UpstreamRef

HEADERS = {CLIENT_ID_HEADER: PVOG_CLIENT_ID}  # the sandbox PVOG's client id header
ROUNDS = 3  # each figure is the median of these
Call = Callable[[str, dict[str, Any]], Awaitable[Any]]


async def timed(call: Call, path: str, params: dict[str, Any], n: int, c: int) -> float:
    """CPU ms per call for n calls, c at a time."""
    for _ in range(10):
        await call(path, params)
    started = time.process_time()

    async def loop(count: int) -> None:
        for _ in range(count):
            with deadline_after(30):
                try:
                    await call(path, params)
                except (httpx.TransportError, httpcore.NetworkError, aiohttp.ClientError):
                    # The sandbox closes keep-alive connections idle for 5 s (uvicorn's
                    # default) while other variants run; the bare clients do not retry
                    # a connection closed under them the way the gateway's reads do.
                    await call(path, params)

    await asyncio.gather(*(loop(n // c) for _ in range(c)))
    return (time.process_time() - started) / (n // c * c) * 1000


def guarded(
    client: httpx.AsyncClient, base: str, guards: UpstreamGuards, name: str
) -> ResilientUpstream:
    """The gateway's `ResilientUpstream` (its own guard per variant) on `client`."""
    ref = UpstreamRef(name, Capability.SERVICES)
    auth = UpstreamHttpAuth(HEADERS)  # the PVOG's `auth` table, as the gateway builds it
    return guards.upstream(client, base, ref=ref, policy=UpstreamPolicy(), auth=auth)


def on_wire(wire: Wire) -> UpstreamClient:
    return UpstreamClient(wire, timeout=httpx.Timeout(10.0, connect=2.0), trust_env=False)


async def variants(sandbox: Sandbox) -> dict[str, tuple[Call, Callable[[], Awaitable[None]]]]:
    base = sandbox.urls["pvog"]
    settings = Settings.from_env(gateway_env(sandbox.network, 8000))
    guards = UpstreamGuards(Observability(settings).observer)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    # Before: the httpx client (no wire: every call through httpx's client and its auth flow).
    before = new_client(transport=PerOriginTransport(limits))
    client = new_client()  # the gateway's client now: aiohttp under `Upstream`
    lean, core = on_wire(HttpxLeanWire()), on_wire(HttpcoreWire())
    plain = Upstream(client, base, ref=UpstreamRef("pvog", Capability.SERVICES))

    async def upstream_only(path: str, params: dict[str, Any]) -> Any:
        return await plain.send_json("GET", path, params=params, headers=HEADERS)

    async def bare_httpx(path: str, params: dict[str, Any]) -> Any:
        response = await before.get(base + path, params=params, headers=HEADERS)
        assert response.status_code == 200, response.status_code
        return orjson.loads(response.content)

    pool = httpcore.AsyncConnectionPool(max_connections=200, max_keepalive_connections=200)

    async def bare_httpcore(path: str, params: dict[str, Any]) -> Any:
        url = f"{base}{path}?{urlencode(params, doseq=True)}"
        response = await pool.request("GET", url, headers=list(HEADERS.items()))
        assert response.status == 200, response.status
        return orjson.loads(response.content)

    session = aiohttp.ClientSession()

    async def bare_aiohttp(path: str, params: dict[str, Any]) -> Any:
        query = urlencode(params, doseq=True)  # aiohttp takes no list values in a dict
        async with session.get(f"{base}{path}?{query}", headers=HEADERS) as response:
            assert response.status == 200, response.status
            return orjson.loads(await response.read())

    # Every "guarded" row: breaker, bulkhead, retry budget, deadline, the metrics/status
    # observer, the auth flow and error translation; only the client below differs.
    return {
        "guarded on httpx client (before)": (
            guarded(before, base, guards, "httpx").get_json,
            before.aclose,
        ),
        "guarded on httpx Request + transport": (
            guarded(lean, base, guards, "lean").get_json,
            lean.aclose,
        ),
        "guarded on httpcore pool": (guarded(core, base, guards, "core").get_json, core.aclose),
        "guarded on aiohttp wire (now)": (guarded(client, base, guards, "wire").get_json, _noop),
        "Upstream on aiohttp wire, no guards": (upstream_only, client.aclose),
        "bare httpx client.get + orjson": (bare_httpx, _noop),
        "bare httpcore pool + orjson": (bare_httpcore, pool.aclose),
        "bare aiohttp session + orjson": (bare_aiohttp, session.close),
    }


async def _noop() -> None:
    return None


async def run(sandbox: Sandbox, n: int) -> dict[str, Any]:
    base = sandbox.urls["pvog"]
    # A real Organisationseinheit id, from the federal search.
    search: dict[str, Any] = {
        "ars": "000000000000",
        "page": 0,
        "size": 500,
        "useArsHierarchy": "true",
    }
    client = new_client()
    url = base + "/v8beta1/servicedescriptions"
    first = (await client.get(url, params=search, headers=HEADERS)).json()
    await client.aclose()
    oe = first["serviceDescriptions"]["content"][0]["organisationIds"][0]
    payloads: dict[str, tuple[str, dict[str, Any]]] = {
        "small (1 OE)": ("/v5/organisationunits/detail", {"q": [oe]}),
        f"search ({len(first['serviceDescriptions']['content'])} descriptions)": (
            "/v8beta1/servicedescriptions",
            search,
        ),
    }
    found = await variants(sandbox)
    samples: dict[str, list[float]] = {}
    for _ in range(ROUNDS):  # interleaved, so drifting machine load hits every variant alike
        for name, (call, _close) in found.items():
            for payload, (path, params) in payloads.items():
                for c in (1, 16):
                    key = f"{name} | {payload} | c={c}"
                    samples.setdefault(key, []).append(await timed(call, path, params, n, c))
    for _call, close in found.values():
        await close()
    out: dict[str, Any] = {key: statistics.median(v) for key, v in samples.items()}
    raw = orjson.dumps(first)
    started = time.process_time()
    for _ in range(200):
        json.loads(raw)
    out["decode search body: json.loads ms"] = (time.process_time() - started) / 200 * 1000
    started = time.process_time()
    for _ in range(200):
        orjson.loads(raw)
    out["decode search body: orjson.loads ms"] = (time.process_time() - started) / 200 * 1000
    out["search body bytes"] = len(raw)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.upstream_stack")
    parser.add_argument("--calls", type=int, default=800)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portalgraph-stack-") as tmp:
        sandbox = Sandbox(Path(tmp), 40, topology=4)
        pin_self(GATEWAY_CORE)
        try:
            import uvloop  # noqa: PLC0415 - the gateway's loop

            figures = uvloop.run(run(sandbox, opts.calls))
        finally:
            sandbox.stop()
            end_all()
    for key, value in figures.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
