"""Start-up time and memory of the topology sandbox: `python -m sandbox.topology_measure [N|all]`.

Run it in a fresh process: the first start makes the FIT-Connect parties' RSA-4096 keys
(`sandbox.pki`, two at a time in background threads) and dominates the cold figure; the
second start in the same process finds them made. RSS is the process's resident set
(`/proc/self/status` VmRSS) with every server up and idle.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox import key_cache
from sandbox.topology_runner import TopologySandbox


@dataclass(frozen=True, slots=True)
class StartFigures:
    municipalities: int
    servers: int
    cold_s: float
    warm_s: float
    rss_mib: float


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0  # pragma: no cover - not Linux


async def _timed_start(count: int | None) -> tuple[TopologySandbox, float]:
    sandbox = TopologySandbox(municipalities=count)
    started = time.perf_counter()
    await sandbox.start()
    return sandbox, time.perf_counter() - started


async def measure(count: int | None) -> StartFigures:
    sandbox, cold = await _timed_start(count)
    rss = resident_mib()
    servers = len(sandbox.urls)
    await sandbox.stop()
    again, warm = await _timed_start(count)
    await again.stop()
    return StartFigures(len(sandbox.municipalities), servers, cold, warm, rss)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    count = None if not args or args[0] == "all" else int(args[0])
    found = asyncio.run(measure(count))
    print(
        f"topology sandbox, {found.municipalities} municipalities, {found.servers} servers:"
        f" cold start {found.cold_s:.2f} s (RSA-4096 keys included),"
        f" warm start {found.warm_s:.2f} s, RSS {found.rss_mib:.0f} MiB with every server up"
    )


if __name__ == "__main__":
    # A cold start makes its keys: not from a test session's key cache (sandbox.key_cache).
    os.environ.pop(key_cache.CACHE_ENV, None)
    main()
