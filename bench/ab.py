"""Before/after: the gateway of another commit against this tree, and the floor, in one run.

`python -m bench.ab --before DIR [--cells dashboard,inbox] [--reps 3] [--seconds 2.5]`
where DIR holds the other commit's tree (`git archive REV | tar -x -C DIR`). Both
gateways run as `portalgraph serve` processes pinned like in `make bench`, each importing
its own tree (`PYTHONSAFEPATH=1 PYTHONPATH=DIR`), against the same sandbox; per
repetition the floor, then before, then after, so a change in the machine's other load
falls on all three. Cells at concurrency 1: the dashboard with 0 ms upstream latency (the
overhead target) and the 500-message page. A shared machine inflates absolute times:
compare the rows of one run.

Both run on the topology sandbox (network file v2); the floor is bench/floor_citizen.py
(run by bench/floor_proc.py, on aiohttp as the gateway's wire), and its dashboard here is
a citizen's without learned account links, the Postfach alone, as the gateway's. `--topology`: the topology
sandbox with 4 municipalities, no floor; cells `pass`, `join`, `multi`, `page5` (the peer
workloads, anonymous) and `dashboard` (Erika, her account links learned first), each at
every `--concurrency`; the rows give both sides' figures and after ÷ before.
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

import orjson

from bench.dashboard import DASHBOARD, LEARN
from bench.http_part import HEAVY, sign_in
from bench.load import Http1
from bench.peer_suite import body
from bench.procs import CLIENT_CORE, Gateway, Sandbox, end_all, pin_self
from bench.scenarios import FloorProc, floor_run, gateway_run, one_by_one

PORTALS = "{ portals(tier: MUNICIPAL) { id ars } }"
DASHBOARD_BODY = orjson.dumps({"query": DASHBOARD})

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


ERIKA_PORTALS = ("bund", "nrw", "koeln")  # and Dormagen's platform portal, looked up


async def learn_erika(gateway: Gateway, token: str) -> None:
    """Names each of Erika's portals once, so the gateway learns her account links."""
    connection = Http1(gateway.url)
    headers = f"Authorization: Bearer {token}\r\n"
    _, raw = await connection.post("/graphql", orjson.dumps({"query": PORTALS}))
    portals = orjson.loads(raw)["data"]["portals"]
    dormagen = next(p["id"] for p in portals if p["ars"] == "051620008008")
    for portal in (*ERIKA_PORTALS, dormagen):
        payload = orjson.dumps({"query": LEARN, "variables": {"p": portal}})
        status, raw = await connection.post("/graphql", payload, headers)
        assert status == 200 and b'"errors"' not in raw, raw[:300]
    await connection.close()


async def run_topology(opts: argparse.Namespace, sandbox: Sandbox) -> list[dict[str, Any]]:
    token = sandbox.token("erika")
    sides = {
        # Caches off, as in the peer comparison: every request reaches the upstreams.
        side: Gateway(
            sandbox.network,
            None,
            PYTHONSAFEPATH="1",
            PYTHONPATH=str(tree),
            PORTALGRAPH_CACHE="off",
            PORTALGRAPH_RESPONSE_CACHE="off",
        )
        for side, tree in (("before", opts.before), ("after", HERE))
    }
    cells = opts.cells.split(",")
    bodies = {c: DASHBOARD_BODY if c == "dashboard" else body("portalgraph", c) for c in cells}
    for gateway in sides.values():
        await learn_erika(gateway, token)
        for cell in cells:  # warm: pools, parser and validation caches
            await gateway_run(
                gateway, _op(cell), [token], concurrency=1, seconds=0.5, seed=0, body=bodies[cell]
            )
    rows: list[dict[str, Any]] = []
    for rep in range(opts.reps):
        for cell in cells:
            for concurrency in map(int, opts.concurrency.split(",")):
                order = list(sides.items())
                if rep % 2:  # alternate who goes first: a drift in load falls on both
                    order.reverse()
                for side, gateway in order:
                    result = await gateway_run(
                        gateway,
                        _op(cell),
                        [token],
                        concurrency=concurrency,
                        seconds=opts.seconds,
                        seed=rep,
                        body=bodies[cell],
                    )
                    rows.append({"cell": f"{cell} c={concurrency}", "side": side, **result})
    for gateway in sides.values():
        gateway.stop()
    return rows


def _op(cell: str) -> str:
    return "inbox" if cell == "dashboard" else "search"  # inbox: tokens[0] signs every request


def topology_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| cell | side | req/s | p50 ms | p99 ms | CPU ms/req | CPU after ÷ before | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cell in dict.fromkeys(r["cell"] for r in rows):
        cpu: dict[str, float] = {}
        for side in ("before", "after"):
            mine = [r for r in rows if r["cell"] == cell and r["side"] == side]
            cpu[side] = statistics.median(r["cpu_ms_per_req"] for r in mine)
            figures = [statistics.median(r[k] for r in mine) for k in ("rps", "p50", "p99")]
            ratio = f"{cpu['after'] / cpu['before']:.2f}" if side == "after" else "–"
            lines.append(
                f"| {cell} | {side} | {figures[0]:.1f} | {figures[1]:.1f} | {figures[2]:.1f} "
                f"| {cpu[side]:.2f} | {ratio} | {sum(r['errors'] for r in mine):.0f} |"
            )
    return lines


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
    parser.add_argument("--topology", action="store_true")
    parser.add_argument("--concurrency", default="1,16")
    opts = parser.parse_args()
    if opts.topology and opts.cells == "dashboard,inbox":
        opts.cells = "pass,join,dashboard"
    pin_self(CLIENT_CORE)
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="portalgraph-ab-") as tmp:
        if opts.topology:
            sandbox = Sandbox(Path(tmp), 40, topology=4)
        else:
            sandbox = Sandbox(Path(tmp), opts.citizens)
        try:
            if opts.topology:
                lines = topology_table(asyncio.run(run_topology(opts, sandbox)))
            else:
                lines = table(asyncio.run(run(opts, sandbox, Path(tmp))))
        finally:
            sandbox.stop()
            end_all()
    load.append(os.getloadavg())
    print(f"load average {load[0]} → {load[1]}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
