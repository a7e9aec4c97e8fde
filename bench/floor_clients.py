"""What the floor's HTTP client costs: the linked dashboard's floor on httpx and on aiohttp,
beside the gateway, in one run.

`.venv/bin/python -m bench.floor_clients [--citizens 2000] [--reps 2] [--seconds 2.5]`
starts the topology sandbox (40 municipalities), the gateway and two floor processes
(bench/floor_proc.py with httpx, the suite's floor, and with bench/floor_aiohttp.py), all
pinned as in `make bench`; both floors and the gateway learn the same 300 citizens' links
(bench/linked_part.py), then per repetition and concurrency (1, 16, 64) each side runs the
linked dashboard for the same citizens in the same order. Prints one row per cell: req/s,
p50 and p99 ms and CPU ms per request of each side (medians of the repetitions).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.linked_part import learn, linked_citizens
from bench.procs import CLIENT_CORE, Gateway, Sandbox, end_all, pin_self
from bench.scenarios import FloorProc, floor_run, gateway_run

CLIENTS = ("httpx", "aiohttp")
FIGURES = ("rps", "p50", "p99", "cpu_ms_per_req")


async def measure(opts: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    sandbox = Sandbox(work, opts.citizens)
    try:
        linked = linked_citizens(sandbox, opts.citizens, set(), smoke=False)
        (work / "tokens.json").write_text(json.dumps(linked.pool))
        floors = {c: FloorProc(work / "urls.json", work / "tokens.json", c) for c in CLIENTS}
        gateway = Gateway(sandbox.network, PORTALGRAPH_DATA_DIR=str(work / "journal"))
        await learn(gateway, floors["httpx"], sandbox, linked.pool)
        floors["aiohttp"].run(op="learn", tokens=linked.pool)
        rows: list[dict[str, Any]] = []
        for rep in range(opts.reps):
            for c in (1, 16, 64):
                spec = {"concurrency": c, "seconds": opts.seconds, "seed": rep + 1}
                for client, floor in floors.items():
                    found = floor_run(floor, "dashboard", tokens=linked.pool, **spec)
                    rows.append({"c": c, "side": f"floor ({client})", **found})
                found = await gateway_run(gateway, "dashboard", linked.pool, **spec)
                rows.append({"c": c, "side": "gateway", **found})
        for floor in floors.values():
            floor.stop()
        gateway.stop()
        return rows
    finally:
        sandbox.stop()
        end_all()


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| c | side | req/s | p50 ms | p99 ms | CPU ms/req |", "|---|---|---|---|---|---|"]
    cells: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in rows:
        cells.setdefault((row["c"], row["side"]), []).append(row)
    for (c, side), found in cells.items():
        medians = [statistics.median(r[f] for r in found) for f in FIGURES]
        lines.append(f"| {c} | {side} | " + " | ".join(f"{m:.1f}" for m in medians) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_clients")
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.5)
    opts = parser.parse_args()
    pin_self(CLIENT_CORE)
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="portalgraph-floor-clients-") as tmp:
        rows = asyncio.run(measure(opts, Path(tmp)))
    load.append(os.getloadavg())
    print("\n".join(table(rows)))
    print("load average", " → ".join("/".join(f"{x:.1f}" for x in one) for one in load))


if __name__ == "__main__":
    main()
