"""The sandbox upstreams in their own process, data pre-generated, for the benchmark suite.

`python -m bench.sandbox_proc --citizens 10000 --out DIR` writes DIR/network.toml and
DIR/urls.json, prints "ready" and serves until stdin closes. A separate process keeps
the upstreams' CPU off the gateway's core and out of its measurements.
`--topology N` starts the topology sandbox (network file v2, N municipalities) instead:
it also writes DIR/sandbox.env (the secrets its network file names), which
`bench.procs.gateway_env` hands to the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import sys
import time
from pathlib import Path

from sandbox.runner import IDP_SECRET, IDP_SECRET_ENV, SandboxNetwork
from sandbox.topology_runner import TopologySandbox


async def serve(citizens: int, out: Path) -> None:
    os.environ.setdefault(IDP_SECRET_ENV, IDP_SECRET)
    network = SandboxNetwork(citizens=citizens)
    started = time.perf_counter()
    network.apps()
    assert network.cases is not None
    # Cases are generated lazily on first access; generating them all up front keeps that
    # work (and its allocations) out of every measured request.
    network.cases.generate_all()
    generated = time.perf_counter() - started
    await network.start()
    (out / "network.toml").write_text(network.network_toml(), encoding="utf-8")
    urls = {f"{portal}/{capability}": url for (portal, capability), url in network.urls.items()}
    (out / "urls.json").write_text(json.dumps(urls), encoding="utf-8")
    print(json.dumps({"ready": True, "generated_s": round(generated, 2)}), flush=True)
    # The parent closes our stdin to stop us; that also covers a parent that crashed.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await network.stop()


async def serve_topology(municipalities: int, citizens: int, out: Path) -> None:
    network = TopologySandbox(municipalities=municipalities, citizens=citizens, folder=out)
    started = time.perf_counter()
    await network.start()  # writes out/network.toml and out/sandbox.env
    (out / "urls.json").write_text(json.dumps(network.urls), encoding="utf-8")
    ready = {"ready": True, "generated_s": round(time.perf_counter() - started, 2)}
    print(json.dumps(ready), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await network.stop()


def control_tls(out: Path) -> ssl.SSLContext | bool:
    """How a client reaches every server of a topology sandbox written to `out`: its
    mutual-TLS payment provider needs the CA and our client certificate, also for the
    control API (faults, stats)."""
    secrets = out / "sandbox.env"
    if not secrets.exists():
        return True
    env = dict(line.split("=", 1) for line in secrets.read_text().splitlines() if line)
    context = ssl.create_default_context(cafile=env["EPAYBL_CA_BUNDLE"])
    context.load_cert_chain(env["EPAYBL_CLIENT_CERT"], env["EPAYBL_CLIENT_KEY"])
    return context


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--topology", type=int, default=None, metavar="MUNICIPALITIES")
    args = parser.parse_args()
    if args.topology is not None:
        serving = serve_topology(args.topology, args.citizens, args.out)
    else:
        serving = serve(args.citizens, args.out)
    try:
        import uvloop  # noqa: PLC0415 - optional speed-up, same as the gateway's

        uvloop.run(serving)
    except ImportError:
        asyncio.run(serving)


if __name__ == "__main__":
    main()
