"""Workers: `PORTALGRAPH_WORKERS=2` against one worker, on this machine's cores.

Both gateways may use every core (no pinning), and so do the sandbox and the load
generator: nothing is set aside for the gateway, the ratio is what a 2-core host gets.
The workload is the service search with the data cache warm (no response cache), so the
gateway's own work dominates: no upstream calls once warm, ~4 ms of gateway CPU per
request against ~0.1 ms for the load generator. Both gateways run side by side and the
repetitions alternate (1, 2, 1, 2, …), so a change in the machine's other load falls on
both. `python -m bench --only workers` measures just this section.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.procs import Gateway, Sandbox, proc_cpu_s, process_tree
from bench.report import HEADINGS, cell, measured_line
from bench.scenarios import gateway_run, one_by_one

CONCURRENCY = 16
WARM_ROUNDS = 10
BUSY_S = 0.05  # CPU seconds in a warm-up round that show a worker is serving
ALL_CORES = ",".join(str(n) for n in range(os.cpu_count() or 1))


def worker_cpu(gateway: Gateway) -> dict[int, float]:
    """CPU seconds per process of the gateway (supervisor and workers)."""
    return {pid: proc_cpu_s(pid, tree=False) for pid in process_tree(gateway.proc.pid)}


def started(gateway: Gateway, workers: int) -> None:
    """Until every worker has started serving (the first answer needs only one of them)."""
    deadline = time.monotonic() + 120
    while serving_workers(gateway) < (workers if workers > 1 else 0):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{workers} workers did not start")
        time.sleep(0.2)


def serving_workers(gateway: Gateway) -> int:
    """Children of the supervisor that listen (multiprocessing's resource tracker does not)."""
    count = 0
    for pid in process_tree(gateway.proc.pid)[1:]:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline and b"spawn_main" in cmdline and fds:
            count += 1
    return count


async def workers_figures(sandbox: Sandbox, *, seconds: float, reps: int) -> dict[str, Any]:
    sandbox.latency(0)
    env = {"PORTALGRAPH_RESPONSE_CACHE": "off"}
    sides = {
        n: Gateway(sandbox.network, None, cores=ALL_CORES, PORTALGRAPH_WORKERS=str(n), **env)
        for n in (1, 2)
    }
    load = [os.getloadavg()]
    rows: list[dict[str, Any]] = []
    try:
        for n, gateway in sides.items():
            started(gateway, n)
            await one_by_one(gateway, "search", [""])
            # Every worker fills its own data cache: the same load until each has served.
            for _ in range(WARM_ROUNDS):
                before = worker_cpu(gateway)
                await gateway_run(gateway, "search", [], concurrency=CONCURRENCY, seconds=3, seed=0)
                grown = [cpu - before.get(pid, 0.0) for pid, cpu in worker_cpu(gateway).items()]
                if sum(g > BUSY_S for g in grown) >= n:
                    break
        for rep in range(reps):
            for n, gateway in sides.items():
                before = worker_cpu(gateway)
                result = await gateway_run(
                    gateway, "search", [], concurrency=CONCURRENCY, seconds=seconds, seed=rep + 1
                )
                after = worker_cpu(gateway)
                split = [round(after[pid] - before.get(pid, 0.0), 2) for pid in sorted(after)]
                rows.append({"workers": n, "cpu_s_per_process": split, **result})
        load.append(os.getloadavg())
    finally:
        for gateway in sides.values():
            gateway.stop()
    one = statistics.median(r["rps"] for r in rows if r["workers"] == 1)
    two = statistics.median(r["rps"] for r in rows if r["workers"] == 2)
    return {"rows": rows, "ratio": two / one, "loadavg": load, "concurrency": CONCURRENCY}


def workers_section(figures: dict[str, Any]) -> list[str]:
    lines = [
        HEADINGS["workers"],
        "",
        measured_line(figures["loadavg"]),
        f"- service search, data cache warm, no response cache, concurrency "
        f"{figures['concurrency']}; gateways unpinned (every core), sandbox and load "
        "generator on the client core; repetitions alternate between the two gateways",
        "",
        "| workers | req/s | p50 ms | p99 ms | CPU ms/req (all processes) |",
        "|---|---|---|---|---|",
    ]
    for n in (1, 2):
        found = [r for r in figures["rows"] if r["workers"] == n]
        cells = [
            cell([r[key] for r in found], 2 if key == "cpu_ms_per_req" else 1)
            for key in ("rps", "p50", "p99", "cpu_ms_per_req")
        ]
        lines.append(f"| {n} | {' | '.join(cells)} |")
    splits = [r["cpu_s_per_process"] for r in figures["rows"] if r["workers"] == 2]
    lines += [
        "",
        f"req/s with 2 workers ÷ 1 worker: **{figures['ratio']:.2f}** (target ≥ 1.8); CPU "
        f"seconds per process of the 2-worker gateway per repetition (supervisor first): {splits}",
        "",
    ]
    return lines
