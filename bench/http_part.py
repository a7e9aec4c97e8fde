"""The http part of `make bench`: the floor scenarios against the gateway, same load.

Upstream calls per query (gateway and floor, route by route), then the dashboard at 0
and 20 ms upstream latency and concurrency 1/16/64, the 500-message page, the dashboard
of citizens whose account links the gateway learned first ("dashboard (linked)", same
latencies and concurrencies: bench/linked_part.py), and the service search without a
cache, with the data cache and with the response cache; each cell's floor run
(bench/floor_proc.py) and gateway run alternate per repetition.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.floor_topology import sandbox_note
from bench.linked_part import SCENARIO as LINKED, learn, linked_calls, linked_citizens
from bench.procs import Gateway, Sandbox
from bench.report import calls_section, http_section, startup_section
from bench.scenarios import SEARCH_ARS, FloorProc, calls_ratio, floor_run, gateway_run, one_by_one

HEAVY = "buerger004175"  # of 10,000 citizens: over 500 messages in the BundID Postfach (two pages)


def sign_in(sandbox: Sandbox, logins: list[str]) -> list[str]:
    """Access tokens by the password grant, as a citizen's app would get them."""
    return [sandbox.token(login) for login in logins]


def heavy_login(citizens: int) -> str:
    if citizens >= 10_000:
        return HEAVY
    # Small (smoke) sandboxes: any generated citizen; the page is then simply shorter.
    return "erika"


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
    linked = linked_citizens(sandbox, opts.citizens, set(logins), smoke=opts.smoke)
    out: dict[str, Any] = {"cold_start_s": [], "idle_rss_kib": [], "calls": {}}
    floor = FloorProc(work / "urls.json", work / "tokens.json")
    # A journal of this run's own: links learned by an earlier run must not count.
    gateway = Gateway(sandbox.network, PORTALGRAPH_DATA_DIR=str(work / "gateway-journal"))
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
    out["calls"][LINKED] = await linked_calls(sandbox, gateway, floor, linked, warm)
    publish_now(
        "calls",
        calls_section(
            out["calls"], [*load, os.getloadavg()], sandbox_note(opts.topology, opts.citizens)
        ),
    )

    m = Measuring(
        sandbox, floor, opts.seconds, opts.reps, sandbox_note(opts.topology, opts.citizens)
    )
    for latency in (0, 20):
        # Concurrency 1 gives the overhead per request without queueing for the CPU.
        for c in (1, 16, 64):
            await m.measure("dashboard", "dashboard", latency, c, gateway, pool, {})
    for c in (1, 16):
        await m.measure("inbox500", "inbox", 0, c, gateway, [heavy], {"tokens": [heavy]})
    sandbox.latency(0)
    out["links_learned"] = await learn(gateway, floor, sandbox, linked.pool)
    for latency in (0, 20):
        for c in (1, 16, 64):
            await m.measure(
                LINKED, "dashboard", latency, c, gateway, linked.pool, {"tokens": linked.pool}
            )
    out["peak_rss_kib"] = gateway.mem_kib()["VmHWM"]
    gateway.stop()
    publish_now(
        "http",
        http_section(m.rows, [*load, os.getloadavg()], sandbox_note(opts.topology, opts.citizens)),
    )
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
