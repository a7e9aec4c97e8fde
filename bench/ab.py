"""Before/after: the gateway of another commit against this tree, and the floor, in one run.

`python -m bench.ab --before DIR [--cells dashboard,inbox] [--reps 3] [--seconds 2.5]`
where DIR holds the other commit's tree (`git archive REV | tar -x -C DIR`). Both
gateways run as `portalgraph serve` processes pinned like in `make bench`, each importing
its own tree (`PYTHONSAFEPATH=1 PYTHONPATH=DIR`), against the same sandbox; per
repetition the floor, then before, then after, so a change in the machine's other load
falls on all three. Cells at concurrency 1: the dashboard with 0 ms upstream latency (the
overhead target) and the 500-message page. A shared machine inflates absolute times:
compare the rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.__main__ import HEAVY, sign_in
from bench.procs import CLIENT_CORE, Gateway, Sandbox, end_all, pin_self
from bench.scenarios import FloorProc, floor_run, gateway_run, one_by_one

HERE = Path(__file__).resolve().parents[1]


async def run(opts: argparse.Namespace, sandbox: Sandbox, work: Path) -> list[dict[str, Any]]:
    sandbox.latency(0)
    rng = random.Random(9)
    pool = sign_in(sandbox, [f"buerger{rng.randrange(1, 9995):06d}" for _ in range(40)])
    (work / "tokens.json").write_text(json.dumps(pool))
    (heavy,) = sign_in(sandbox, [HEAVY])
    floor = FloorProc(work / "urls.json", work / "tokens.json")
    sides = {
        side: Gateway(sandbox.network, None, PYTHONSAFEPATH="1", PYTHONPATH=str(tree))
        for side, tree in (("before", opts.before), ("after", HERE))
    }
    for gateway in sides.values():  # warm: token exchanges, pools, caches
        await one_by_one(gateway, "dashboard", pool[:5])
        await one_by_one(gateway, "inbox", [heavy])
    floor.run(op="dashboard", concurrency=1, seconds=60, limit=5, seed=0, tokens=pool[:5])
    rows: list[dict[str, Any]] = []
    for rep in range(opts.reps):
        for cell in opts.cells.split(","):
            op, tokens = ("dashboard", pool) if cell == "dashboard" else ("inbox", [heavy])
            extra = {} if cell == "dashboard" else {"tokens": [heavy]}
            seed, seconds = rep + 1, opts.seconds
            result = floor_run(floor, op, concurrency=1, seconds=seconds, seed=seed, **extra)
            rows.append({"cell": cell, "side": "floor", **result})
            for side, gateway in sides.items():
                result = await gateway_run(
                    gateway, op, tokens, concurrency=1, seconds=seconds, seed=seed
                )
                rows.append({"cell": cell, "side": side, **result})
    for gateway in sides.values():
        gateway.stop()
    floor.stop()
    return rows


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| cell | side | p50 ms | CPU ms/req | p50 − floor p50, ms |",
        "|---|---|---|---|---|",
    ]
    cells = dict.fromkeys(r["cell"] for r in rows)
    for cell in cells:
        found = {
            side: [r for r in rows if r["cell"] == cell and r["side"] == side]
            for side in ("floor", "before", "after")
        }
        floor_p50 = statistics.median(r["p50"] for r in found["floor"])
        for side, mine in found.items():
            p50 = statistics.median(r["p50"] for r in mine)
            cpu = statistics.median(r["cpu_ms_per_req"] for r in mine)
            over = "–" if side == "floor" else f"{p50 - floor_p50:.1f}"
            lines.append(f"| {cell} | {side} | {p50:.1f} | {cpu:.2f} | {over} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--cells", default="dashboard,inbox")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.5)
    parser.add_argument("--citizens", type=int, default=10_000)
    opts = parser.parse_args()
    pin_self(CLIENT_CORE)
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="portalgraph-ab-") as tmp:
        sandbox = Sandbox(Path(tmp), opts.citizens)
        try:
            rows = asyncio.run(run(opts, sandbox, Path(tmp)))
        finally:
            sandbox.stop()
            end_all()
    load.append(os.getloadavg())
    print(f"load average {load[0]} → {load[1]}")
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
