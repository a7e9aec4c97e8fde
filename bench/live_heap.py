"""What one idle subscription holds: heap growth by call site between two batches.

`python -m bench.live_heap [--warm 200] [--size 700] [--frames 8] [--top 40]` starts a
topology sandbox and `bench.live_gateway` with tracemalloc (BENCH_TRACEMALLOC_FRAMES
frames per allocation), opens `--warm` idle subscriptions (one per connection, as
bench/live_suite.py), marks a snapshot, opens up to `--size`, and prints the KiB per
subscription overall and the `--top` call sites that grew most, in bytes per
subscription, innermost frame first.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.live_suite import Clients, sign, wait_idle
from bench.procs import Gateway, Sandbox, end_all


def grown(opts: argparse.Namespace, sandbox: Sandbox) -> dict[str, Any]:
    tokens = sign(sandbox, opts.size)
    gateway = Gateway(
        sandbox.network,
        [sys.executable, "-m", "bench.live_gateway"],
        BENCH_TRACEMALLOC="1",
        BENCH_TRACEMALLOC_FRAMES=str(opts.frames),
        PORTALGRAPH_POLL_INTERVAL="3600",
        PORTALGRAPH_WS_MAX_PER_CLIENT="100000",
    )
    clients = Clients(gateway.url)
    http = httpx.Client(trust_env=False, timeout=300)
    try:
        traced: list[float] = []
        top: list[dict[str, Any]] = []
        for done, total in ((0, opts.warm), (opts.warm, opts.size)):
            clients.ask({"open": tokens[done:total]})
            while http.get(gateway.url + "/_bench/subscribers").json()["subscribers"] < total:
                time.sleep(0.05)
            wait_idle(gateway)
            settled(http, gateway.url)
            query = "?mark=1" if done == 0 else f"?top={opts.top}"
            answer = http.get(gateway.url + "/_bench/heap" + query).json()
            traced.append(float(answer["traced"]))
            top = answer.get("top", top)
    finally:
        http.close()
        clients.stop()
        gateway.stop()
    added = opts.size - opts.warm
    return {
        "kib_per_sub": (traced[1] - traced[0]) / added / 1024,
        "top": [
            {"bytes": round(t["kib"] * 1024 / added), "objects": t["count"] / added, **t}
            for t in top
        ],
    }


def settled(http: httpx.Client, url: str, rounds: int = 60) -> None:
    """Until the traced heap holds still for two reads a second apart (within 4 KiB).

    An idle gateway CPU is not enough on a loaded machine: subscriptions whose follow
    set-up still waits for the sandbox hold its tasks and answers, and were counted as
    what an idle subscription holds (KiB per subscription varied by 3 between runs).
    """
    last: list[int] = []
    for _ in range(rounds):
        last = [*last[-1:], int(http.get(url + "/_bench/heap").json()["traced"])]
        if len(last) == 2 and abs(last[1] - last[0]) < 4096:
            return
        time.sleep(1.0)


def owner(where: list[str]) -> str:
    """The package or module an allocation is charged to: the innermost frame outside the
    standard library (`where` is tracemalloc's format: a "File ..., line N" line, then
    the source line, per frame; the innermost frame last)."""
    files = [w.strip().split('"')[1] for w in where if w.strip().startswith('File "')]
    for path in reversed(files):
        if "site-packages/" in path:
            return path.split("site-packages/")[1].split("/")[0]
        if "/lib/python3" not in path and not path.startswith("<"):
            return path.split("/work/")[-1].split("/", 1)[-1]
    return "stdlib: " + (files[-1].rsplit("/", 1)[-1] if files else "?")


def by_owner(top: list[dict[str, Any]]) -> list[tuple[str, int]]:
    sums: dict[str, int] = {}
    for t in top:
        sums[owner(t["where"])] = sums.get(owner(t["where"]), 0) + t["bytes"]
    return sorted(sums.items(), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_heap")
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--size", type=int, default=700)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--top", type=int, default=2000, help="call sites fetched")
    parser.add_argument("--min-bytes", type=int, default=100, help="smaller ones not printed")
    parser.add_argument("--json", type=Path, default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portalgraph-heap-") as tmp:
        sandbox = Sandbox(Path(tmp), 1000, topology=4)
        try:
            sandbox.latency(0)
            figures = grown(opts, sandbox)
        finally:
            sandbox.stop()
            end_all()
    if opts.json is not None:
        opts.json.write_text(json.dumps(figures, indent=1))
    print(f"KiB per idle subscription: {figures['kib_per_sub']:.2f}")
    print("B per subscription by owner (innermost frame outside the standard library):")
    for name, size in by_owner(figures["top"]):
        if abs(size) >= opts.min_bytes:
            print(f"{size:7d} B  {name}")
    print("B per subscription by call site:")
    for t in figures["top"]:
        if abs(t["bytes"]) >= opts.min_bytes:
            inner = " <- ".join(line.strip() for line in t["where"][::-1][:6])
            print(f"{t['bytes']:7d} B {t['objects']:6.2f} obj  {inner}")


if __name__ == "__main__":
    main()
