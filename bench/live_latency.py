"""Event-to-client latency at N open subscriptions, alone (a slice of bench/live_suite.py).

    .venv/bin/python -m bench.live_latency --subscribers 1000 --events 5000 --reps 1

A fresh topology sandbox (bench/topology_proc.py) and gateway (bench/live_gateway.py,
its journal in a fresh folder); one subscription per sandbox citizen, so that each one
follows real applications and records their case routes, as in production. Once the
gateway is idle its own publisher sends 1,000 events per second, one subscribed viewer
each in turn, into the event log, and the client process records each event's delay from
its send time. `--while-subscribing` publishes as soon as the subscriptions are open
instead, while their set-up (application lists, case routes into the journal) still runs:
the moment many viewers subscribe at once (a deploy, a morning peak).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.live_suite import WARM, Clients, latency_gateway, one_rep
from bench.load import median_spread, percentile
from bench.procs import Gateway, Sandbox, end_all
from sandbox.citizens_generated import generate_citizens
from sandbox.data import DEFAULT_SEED
from sandbox.idp_grants import citizen_claims
from sandbox.runner import GATEWAY_AUDIENCE


class TopologyProc(Sandbox):
    """bench/topology_proc.py as a pinned child; its secrets go into this environment,
    which bench/procs.py's gateways inherit."""

    MODULE = "bench.topology_proc"

    def __init__(self, workdir: Path, citizens: int) -> None:
        super().__init__(workdir, citizens, topology=None)  # its own network, no flag
        os.environ.update(json.loads((workdir / "env.json").read_text()))
        os.environ["PORTALGRAPH_DATA_DIR"] = str(workdir / "data")  # a fresh journal


def sign(sandbox: TopologyProc, viewers: int) -> list[str]:
    """Sign-in tokens of the sandbox's first `viewers` citizens (their own applications)."""
    idp = sandbox.urls["identity"]
    now = int(time.time())
    tokens = []
    with httpx.Client(trust_env=False, timeout=30) as http:
        for citizen in generate_citizens(viewers, DEFAULT_SEED):
            claims = citizen_claims(citizen) | {
                "iss": idp,
                "aud": GATEWAY_AUDIENCE,
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
                "azp": "portalgraph-bench",
            }
            response = http.post(idp + "/_sandbox/sign", json={"claims": claims})
            tokens.append(response.raise_for_status().json()["token"])
    return tokens


LEARN = "query Learn($p: ID) { me { applications(portal: $p, first: 1) { totalCount } } }"
PORTALS = "query { portals(tier: MUNICIPAL) { id ars } }"
DORMAGEN = "051620008008"  # the platform's municipality (Kommunalportal.NRW)


async def learn_links(sandbox: TopologyProc, tokens: list[str]) -> int:
    """Names each single portal once per viewer, on a throwaway gateway with the same
    journal: the account links it learns make the measured gateway's subscriptions follow
    the viewers' applications (docs/journal.md "Account links"). Returns the links' count."""
    gateway = Gateway(sandbox.network)
    learned = 0
    try:
        async with httpx.AsyncClient(base_url=gateway.url, trust_env=False, timeout=60) as http:
            found = (await http.post("/graphql", json={"query": PORTALS})).json()["data"]
            dormagen = next(p["id"] for p in found["portals"] if p["ars"] == DORMAGEN)
            gate = asyncio.Semaphore(16)

            async def learn(token: str, portal: str) -> None:
                nonlocal learned
                body = {"query": LEARN, "variables": {"p": portal}}
                async with gate:
                    answer = await http.post(
                        "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
                    )
                data = answer.json()
                assert "errors" not in data, data
                learned += data["data"]["me"]["applications"]["totalCount"] > 0

            portals = ("bund", "nrw", "koeln", dormagen)
            await asyncio.gather(*(learn(t, p) for t in tokens for p in portals))
    finally:
        gateway.stop()
    return learned


def rep_while_subscribing(
    sandbox: TopologyProc, tokens: list[str], events: int
) -> dict[str, float]:
    gateway = latency_gateway(sandbox.network)
    clients = Clients(gateway.url)
    try:
        with httpx.Client(base_url=gateway.url, trust_env=False, timeout=120) as http:
            clients.ask({"open": tokens})
            while http.get("/_bench/subscribers").json()["subscribers"] < len(tokens):
                time.sleep(0.05)
            cpu = gateway.cpu_s()
            query = f"/_bench/publish?events={events}&viewers={len(tokens)}"
            published = http.post(query).json()
            latencies = clients.ask({"collect": events, "timeout": 60})
            return {
                "event_cpu_ms": (gateway.cpu_s() - cpu) / events * 1000,
                "delivered": len(latencies) / events,
                "events_per_s": events / published["seconds"],
                "p50_ms": percentile(latencies, 0.5) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000,
                "max_ms": max(latencies, default=float("nan")) * 1000,
            }
    finally:
        clients.stop()
        gateway.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_latency")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--while-subscribing", action="store_true")
    opts = parser.parse_args()
    if opts.subscribers <= WARM:  # the first WARM subscriptions are the baseline
        parser.error(f"--subscribers must be more than {WARM}")
    size = opts.subscribers
    with tempfile.TemporaryDirectory(prefix="portalgraph-bench-") as tmp:
        sandbox = TopologyProc(Path(tmp), size)
        try:
            tokens = sign(sandbox, size)
            linked = asyncio.run(learn_links(sandbox, tokens))
            print(f"{linked} account areas with applications", file=sys.stderr)
            reps = [
                rep_while_subscribing(sandbox, tokens, opts.events)
                if opts.while_subscribing
                else one_rep(
                    sandbox,
                    tokens,
                    (size, size),
                    opts.events,
                    False,
                )
                for _ in range(opts.reps)
            ]
        finally:
            sandbox.stop()
            end_all()
            if os.environ.get("BENCH_KEEP"):  # the gateway's log and journal, to look into
                shutil.copytree(tmp, os.environ["BENCH_KEEP"], dirs_exist_ok=True)
    figures = {key: median_spread([r[key] for r in reps]) for key in reps[0]}
    print(json.dumps({"subscribers": size, "events": opts.events, **figures}))


if __name__ == "__main__":
    main()
