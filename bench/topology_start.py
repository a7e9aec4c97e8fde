"""`make bench` part `topology`: the gateway with the full network (network file v2).

Issue 16, item 7: with all 396 NRW municipalities, cold start ≤ 2 s and idle RSS ≤ 150 MB.
The topology sandbox (`portalgraph sandbox --municipalities all`) runs in its own process
on the client core and writes the network file and env file; `portalgraph serve` starts
on it, pinned to the gateway core, `RUNS` times. Cold start is spawn → first answered
GraphQL operation (bench/procs.py); idle RSS is read after `IDLE_S` seconds without
requests. Then the dashboard's upstream calls at 4 / 40 / 396 municipalities
(bench/citizen_cost.py, over real HTTP against the topology sandbox).

Run alone: `.venv/bin/python -m bench --only topology`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.citizen_cost import sandbox_rows
from bench.procs import CLIENT_CORE, Gateway, pinned, spawn
from bench.report import HEADINGS, cell, measured_line

RUNS = 3
IDLE_S = 2.0
TARGET_START_S, TARGET_RSS_MB = 2.0, 150.0


class FullNetwork:
    """The topology sandbox with every municipality, as a process; its two files."""

    def __init__(self, work: Path) -> None:
        self.network = work / "network.toml"
        argv = [sys.executable, "-m", "graph.cli", "sandbox", "--municipalities", "all"]
        self.proc = spawn(
            pinned(CLIENT_CORE, [*argv, "--network-out", str(self.network)]),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # the last line it prints once everything listens
            if line.startswith("Gateway: "):
                break
        else:
            raise RuntimeError("the topology sandbox ended before it was ready")
        env_file = self.network.with_suffix(".env").read_text(encoding="utf-8")
        self.env = dict(line.split("=", 1) for line in env_file.splitlines() if "=" in line)
        self.municipalities = self.network.read_text(encoding="utf-8").count("{ ars = ")

    def stop(self) -> None:
        self.proc.terminate()  # SIGTERM: it removes its temporary TLS keys
        self.proc.wait(30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start_figures(work: Path) -> dict[str, Any]:
    network = FullNetwork(work)
    figures: dict[str, Any] = {"cold_start_s": [], "idle_rss_mib": []}
    try:
        figures["platform_municipalities"] = network.municipalities
        for run in range(RUNS):
            data = work / f"gateway-{run}"  # a fresh journal: a first start each time
            env = {**network.env, "PORTALGRAPH_DATA_DIR": str(data)}
            gateway = Gateway(network.network, None, **env)
            figures["cold_start_s"].append(gateway.cold_start_s)
            time.sleep(IDLE_S)
            figures["idle_rss_mib"].append(gateway.mem_kib()["VmRSS"] / 1024)
            gateway.stop()
    finally:
        network.stop()
    return figures


def topology_figures(work: Path) -> dict[str, Any]:
    load = [os.getloadavg()]
    figures = start_figures(work)
    figures["dashboard_calls"] = sandbox_rows()
    load.append(os.getloadavg())
    figures["load"] = load
    return figures


def topology_section(figures: dict[str, Any]) -> list[str]:
    start, rss = figures["cold_start_s"], figures["idle_rss_mib"]
    met_start = "met" if max(start) <= TARGET_START_S else "**missed**"
    met_rss = "met" if max(rss) * 1.048576 <= TARGET_RSS_MB else "**missed**"
    lines = [
        HEADINGS["topology"],
        "",
        measured_line(figures["load"]),
        "- network file v2 from `portalgraph sandbox --municipalities all`: Köln has an entry"
        f" of its own, Kommunalportal.NRW serves the other {figures['platform_municipalities']}"
        " municipalities in one entry",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| cold start (spawn → first answered operation), s | {cell(start, 2)}"
        f" | ≤ {TARGET_START_S:.0f} s: {met_start} |",
        f"| idle RSS {IDLE_S:.0f} s after start, MiB | {cell(rss)}"
        f" | ≤ {TARGET_RSS_MB:.0f} MB ({TARGET_RSS_MB / 1.048576:.0f} MiB): {met_rss} |",
        "",
        "Erika's dashboard (tests/e2e/test_citizen_cost.py) against the topology sandbox,"
        " counted by every upstream's `/_sandbox/stats`:",
        "",
        "| municipalities | upstream calls | upstreams asked |",
        "|---|---|---|",
    ]
    lines += [f"| {n} | {calls} | {asked} |" for n, calls, asked in figures["dashboard_calls"]]
    return [*lines, ""]
