"""Identity benchmark: what one token validation and one token exchange cost.

Validation runs joserfc against the cached JWKS (no network); exchange is one
RFC 8693 round trip to the sandbox IdP over loopback, and the cached path.
Usage: .venv/bin/python -m bench.auth [--rounds 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from graph.settings import Settings
from graph.wiring.identity import build_identity
from sandbox.topology_runner import TopologySandbox
from sources._pool import new_client
from sources.topology import load_topology


def micros(samples: list[float]) -> dict[str, float]:
    samples.sort()
    return {
        "median_us": statistics.median(samples) * 1e6,
        "p95_us": samples[int(len(samples) * 0.95) - 1] * 1e6,
    }


async def main(rounds: int) -> dict[str, dict[str, float]]:
    sandbox = TopologySandbox(municipalities=4, citizens=40, folder=Path(tempfile.mkdtemp()))
    await sandbox.start()
    topology = load_topology(sandbox.network_file)
    secrets = Settings.from_env().secrets.with_defaults(sandbox.env())
    async with new_client() as client, httpx.AsyncClient(trust_env=False) as http:
        verifier, tokens = build_identity(topology, client, secrets)
        assert verifier is not None and tokens is not None
        demo = (await http.get(sandbox.url_of("identity") + "/_sandbox/demo-tokens")).json()
        token = demo[0]["accessToken"]
        await verifier.verify(token)  # warm: JWKS fetched once
        validation = []
        for _ in range(rounds):
            started = time.perf_counter()
            await verifier.verify(token)
            validation.append(time.perf_counter() - started)
        provider = tokens.issuer  # type: ignore[attr-defined]  # the uncached issuer behind the cache
        exchange = []
        for n in range(max(rounds // 10, 50)):
            started = time.perf_counter()
            await provider.exchange(
                token,
                f"urn:portalgraph:portal:{('bund', 'nrw', 'koeln', 'kommunalportal-nrw')[n % 4]}",
            )
            exchange.append(time.perf_counter() - started)
        cached = []
        await tokens.exchange(token, "urn:portalgraph:portal:koeln")
        for _ in range(rounds):
            started = time.perf_counter()
            await tokens.exchange(token, "urn:portalgraph:portal:koeln")
            cached.append(time.perf_counter() - started)
    await sandbox.stop()
    return {
        "token_validation": micros(validation),
        "token_exchange_round_trip": micros(exchange),
        "token_exchange_cached": micros(cached),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    print(json.dumps(asyncio.run(main(parser.parse_args().rounds)), indent=2))
