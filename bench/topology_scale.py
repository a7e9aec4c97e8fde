"""What 4 / 40 / 396 municipalities cost at start-up: sandbox data, network file v2, portal directory.

Run: `.venv/bin/python -m bench.topology_scale`. Each figure is the best of several runs
(time) and the peak traced allocation (memory) of one run.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sandbox.scale import local_services, location, sample_municipalities, serves_toml
from sources.base import PortalRecord
from sources.base.portal_directory import PortalDirectory
from sources.base.topology import PortalEntryRecord
from sources.topology import parse_topology

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "network-v2.example.toml"
RUNS = 7


def measure(work: Callable[[], Any]) -> tuple[float, float]:
    """(best wall time in ms, peak traced memory in KiB)."""
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best * 1000, peak / 1024


def network_text(count: int) -> str:
    example = EXAMPLE.read_text(encoding="utf-8")
    head, _, tail = example.partition("serves = [")
    return head + serves_toml(sample_municipalities(count)) + tail[tail.index("\n]\n") + 3 :]


def expand(entries: tuple[PortalEntryRecord, ...]) -> list[PortalRecord]:
    return list(PortalDirectory(entries))


def main() -> None:
    print("municipalities | sandbox data ms / KiB | parse v2 ms / KiB | index ms | expand all ms")
    for count in (4, 40, 396):

        def sandbox_data(count: int = count) -> None:
            chosen = sample_municipalities(count)
            local_services(chosen)
            [location(m) for m in chosen]

        text = network_text(count)
        data_ms, data_kib = measure(sandbox_data)
        parse_ms, parse_kib = measure(partial(parse_topology, text))
        topology = parse_topology(text)
        index_ms, _ = measure(partial(PortalDirectory, topology.portals))
        expand_ms, _ = measure(partial(expand, topology.portals))
        print(
            f"{count:>14} | {data_ms:8.1f} / {data_kib:6.0f}   | {parse_ms:7.1f} / {parse_kib:6.0f}"
            f" | {index_ms:8.2f} | {expand_ms:8.2f}"
        )


if __name__ == "__main__":
    main()
