"""`make bench`: the whole suite against the floor; writes bench/RESULTS.md.

`python -m bench [--smoke] [--only PARTS] [--out PATH] [--json PATH]`. --smoke (a few
seconds, small sandbox, one repetition) only shows that each scenario runs and that the
gateway makes exactly the floor's upstream calls; tests/e2e/test_bench_smoke.py runs it.
The parts are topology (start-up with the full network file v2 and a citizen's dashboard
cost at 4 / 40 / 396 municipalities, bench/topology_start.py), http (floor scenarios,
upstream calls, start-up), workers (two workers against one), peer (Hive Gateway +
GraphQL Mesh, bench/peer_suite.py) and live (subscriptions); `--only workers,peer`
measures just those. Each section is written into
RESULTS.md as soon as it is measured, so a later failure loses nothing measured before.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.live_suite import live_figures
from bench.peer_report import peer_section
from bench.peer_suite import peer_figures
from bench.procs import CLIENT_CORE, Gateway, Sandbox, end_all, pin_self
from bench.report import calls_section, http_section, live_section, publish, startup_section
from bench.scenarios import SEARCH_ARS, FloorProc, calls_ratio, floor_run, gateway_run, one_by_one
from bench.topology_start import topology_figures, topology_section
from bench.workers import workers_figures, workers_section

HEAVY = "buerger004175"  # 637 messages in the pre-generated 10,000 (two mailboxes)


def sign_in(sandbox: Sandbox, logins: list[str]) -> list[str]:
    """Access tokens by the password grant, as a citizen's app would get them."""
    return [sandbox.token(login) for login in logins]


def heavy_login(citizens: int) -> str:
    if citizens >= 10_000:
        return HEAVY
    # Small (smoke) sandboxes: any generated citizen; the page is then simply shorter.
    return "erika"


# The http, workers, peer and live parts ask one PVOG, one Postfach and one identity
# provider whatever the network's size; 40 municipalities give the PVOG a realistic share
# of municipal texts and start in seconds. The full network (396) is the topology part's.
MUNICIPALITIES = 40
PARTS = ("topology", "http", "workers", "peer", "live")
Publish = Callable[[str, list[str]], None]
LoadAverages = list[tuple[float, float, float]]
Section = Callable[[LoadAverages], list[str]]  # a section, given the load average at the start


@dataclass
class Measuring:
    """Runs of one scenario cell, floor and gateway alternating per repetition."""

    sandbox: Sandbox
    floor: FloorProc
    seconds: float
    reps: int
    note: str  # what the sandbox was, for RESULTS.md
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def measure(
        self,
        scenario: str,
        op: str,
        latency: int,
        c: int,
        gw: Gateway,
        toks: list[str],
        floor_extra: dict[str, Any] | None,
        **label: Any,
    ) -> None:
        self.sandbox.latency(latency)
        cell = {"scenario": scenario, "latency": latency, "c": c, **label}
        for rep in range(self.reps):
            seed, seconds = rep + 1, self.seconds
            if floor_extra is not None:
                result = floor_run(
                    self.floor, op, concurrency=c, seconds=seconds, seed=seed, **floor_extra
                )
                self.rows.append({**cell, "side": "floor", **result})
            result = await gateway_run(gw, op, toks, concurrency=c, seconds=seconds, seed=seed)
            self.rows.append({**cell, "side": "gateway", **result})


async def http_scenarios(
    opts: argparse.Namespace, sandbox: Sandbox, work: Path, publish_now: Publish
) -> dict[str, Any]:
    load = [os.getloadavg()]
    rng = random.Random(9)
    pool_size, check_size = (40, 4) if opts.smoke else (1000, 8)
    logins = [
        f"buerger{rng.randrange(1, opts.citizens - 4):06d}" for _ in range(pool_size + check_size)
    ]
    tokens = sign_in(sandbox, logins)
    pool, check = tokens[:pool_size], tokens[pool_size:]
    (work / "tokens.json").write_text(json.dumps(pool))
    warm, heavy = sign_in(sandbox, ["erika", heavy_login(opts.citizens)])
    out: dict[str, Any] = {"cold_start_s": [], "idle_rss_kib": [], "calls": {}}
    floor = FloorProc(work / "urls.json", work / "tokens.json")
    gateway = Gateway(sandbox.network)
    out["cold_start_s"].append(gateway.cold_start_s)
    out["idle_rss_kib"].append(gateway.mem_kib()["VmRSS"])

    # Upstream calls per query: both warmed with one citizen, then the same citizens.
    await one_by_one(gateway, "dashboard", [warm])
    floor.run(op="dashboard", concurrency=1, seconds=60, limit=1, seed=0, tokens=[warm])
    for op, toks in (("dashboard", check), ("inbox", [heavy])):
        sandbox.reset_stats()
        await one_by_one(gateway, op, toks)
        gateway_calls = sandbox.stats()
        sandbox.reset_stats()
        floor.run(op=op, concurrency=1, seconds=60, limit=len(toks), seed=0, tokens=toks)
        out["calls"][op] = calls_ratio(gateway_calls, sandbox.stats())
    publish_now("calls", calls_section(out["calls"], [*load, os.getloadavg()], note(opts)))

    m = Measuring(sandbox, floor, opts.seconds, opts.reps, note(opts))
    for latency in (0, 20):
        # Concurrency 1 gives the overhead per request without queueing for the CPU.
        for c in (1, 16, 64):
            await m.measure("dashboard", "dashboard", latency, c, gateway, pool, {})
    for c in (1, 16):
        await m.measure("inbox500", "inbox", 0, c, gateway, [heavy], {"tokens": [heavy]})
    out["peak_rss_kib"] = gateway.mem_kib()["VmHWM"]
    gateway.stop()
    publish_now("http", http_section(m.rows, [*load, os.getloadavg()], note(opts)))
    await search_scenarios(m, out, lambda key, figures: publish_now(key, figures(load)))
    floor.stop()
    out["rows"] = m.rows
    publish_now("startup", startup_section(out, [*load, os.getloadavg()]))
    return out


async def search_scenarios(
    m: Measuring, out: dict[str, Any], publish_now: Callable[[str, Section], None]
) -> None:
    """The service search without any cache, with the data cache, with the response cache."""
    sandbox, floor = m.sandbox, m.floor
    search = {"ars": SEARCH_ARS, "text": None}
    for variant, env in (
        ("no cache", {"PORTALGRAPH_CACHE": "off", "PORTALGRAPH_RESPONSE_CACHE": "off"}),
        ("data cache", {"PORTALGRAPH_RESPONSE_CACHE": "off"}),
        ("response cache", {"PORTALGRAPH_RESPONSE_CACHE": "on"}),
    ):
        gw = Gateway(sandbox.network, None, **env)
        out["cold_start_s"].append(gw.cold_start_s)
        out["idle_rss_kib"].append(gw.mem_kib()["VmRSS"])
        if variant == "no cache":
            sandbox.latency(0)
            sandbox.reset_stats()
            await one_by_one(gw, "search", [""])
            gateway_calls = sandbox.stats()
            sandbox.reset_stats()
            floor.run(
                op="search", concurrency=1, seconds=60, limit=1, seed=0, cached=False, **search
            )
            out["calls"]["search"] = calls_ratio(gateway_calls, sandbox.stats())
            publish_now(
                "calls",
                lambda load: calls_section(out["calls"], [*load, os.getloadavg()], m.note),
            )
        await one_by_one(gw, "search", [""])  # cache warm
        for c in (16, 64):
            extra = {**search, "cached": False} if variant == "no cache" else None
            await m.measure("search", "search", 0, c, gw, [], extra, variant=variant)
        gw.stop()
        publish_now("http", lambda load: http_section(m.rows, [*load, os.getloadavg()], m.note))


def note(opts: argparse.Namespace) -> str:
    return (
        f"- topology sandbox (network file v2, {opts.topology} municipalities, "
        f"{opts.citizens} citizens): one PVOG (client-id header), the BundID Postfach; "
        "the dashboard is a citizen's without learned account links (the Postfach alone, as "
        "the gateway asks for them): the floor for linked account areas, FIT-Connect event "
        "logs and payments on v2 is not built yet (bench/floor_topology.py)"
    )


def parts_of(value: str) -> tuple[str, ...]:
    parts = PARTS if value == "all" else tuple(p.strip() for p in value.split(","))
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown parts {sorted(unknown)}; known: all, {PARTS}")
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--only", type=parts_of, default=PARTS, help="all, or some of " + ",".join(PARTS)
    )
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 3)")
    parser.add_argument(
        "--live-large",
        type=int,
        default=10_000,
        help="connections of the large subscription figure (a busy machine: fewer)",
    )
    parser.add_argument(
        "--topology",
        type=int,
        default=None,
        metavar="MUNICIPALITIES",
        help="municipalities of the topology sandbox (network file v2); default 4 with"
        f" --smoke, else {MUNICIPALITIES}",
    )
    opts = parser.parse_args()
    opts.citizens = 300 if opts.smoke else 10_000
    if opts.topology is None:
        opts.topology = 4 if opts.smoke else MUNICIPALITIES
    opts.seconds, reps = (0.3, 1) if opts.smoke else (2.5, 3)
    opts.reps = opts.reps or reps
    parts: tuple[str, ...] = opts.only

    def publish_now(key: str, section: list[str]) -> None:
        if not opts.smoke:  # a smoke run's figures mean nothing
            publish(opts.out, key, section, sys.argv)

    pin_self(CLIENT_CORE)
    started = time.perf_counter()
    figures: dict[str, Any] = {"calls": {}}
    with tempfile.TemporaryDirectory(prefix="portalgraph-bench-") as tmp:
        work = Path(tmp)
        if "topology" in parts and not opts.smoke:  # 396 municipalities: no smoke run
            (work / "topology").mkdir()
            figures["topology"] = topology_figures(work / "topology")
            publish_now("topology", topology_section(figures["topology"]))
        if not set(parts) - {"topology"}:
            end_all()
            return report(figures, opts, started)
        sandbox = Sandbox(work, opts.citizens, topology=opts.topology)
        try:
            if "http" in parts:
                figures.update(asyncio.run(http_scenarios(opts, sandbox, work, publish_now)))
            # The smoke run of the whole suite leaves workers to tests/e2e/test_workers.py.
            if "workers" in parts and not (opts.smoke and len(parts) > 1):
                figures["workers"] = asyncio.run(
                    workers_figures(sandbox, seconds=opts.seconds, reps=opts.reps)
                )
                publish_now("workers", workers_section(figures["workers"]))
            if "peer" in parts and not (opts.smoke and len(parts) > 1):
                # The smoke run of the whole suite leaves the peer to its own smoke test.
                figures["peer"] = asyncio.run(
                    peer_figures(sandbox, work, seconds=opts.seconds, reps=opts.reps)
                )
                publish_now("peer", peer_section(figures["peer"], sys.argv))
            if "live" in parts:
                sandbox.latency(0)
                load = [os.getloadavg()]
                figures["live"] = asyncio.run(live_figures(opts, sandbox))
                publish_now("live", live_section(figures["live"], [*load, os.getloadavg()]))
        finally:
            sandbox.stop()
            end_all()
    return report(figures, opts, started)


def report(figures: dict[str, Any], opts: argparse.Namespace, started: float) -> int:
    figures["elapsed_s"] = time.perf_counter() - started
    figures["smoke"] = opts.smoke
    figures["argv"] = sys.argv
    if opts.json is not None:
        opts.json.write_text(json.dumps(figures, indent=1))
    print(json.dumps({k: figures[k] for k in ("calls", "elapsed_s")}, indent=1))
    if "checks" in figures.get("peer", {}):
        print(json.dumps({"peer": figures["peer"]["checks"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
