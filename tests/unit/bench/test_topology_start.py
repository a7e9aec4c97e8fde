"""The full-network section of bench/RESULTS.md says whether issue 16's targets were met."""

from __future__ import annotations

from typing import Any

from bench.report import HEADINGS, sections_of
from bench.topology_start import topology_section


def figures(start: list[float], rss: list[float]) -> dict[str, Any]:
    return {
        "cold_start_s": start,
        "idle_rss_mib": rss,
        "platform_municipalities": 395,
        "dashboard_calls": [(4, 44, 8), (40, 44, 8), (396, 44, 8)],
        "load": [(0.5, 0.5, 0.5), (0.6, 0.5, 0.5)],
    }


def test_targets_met_and_missed_are_told_by_the_worst_run() -> None:
    met = "\n".join(topology_section(figures([0.8, 1.9], [110.0, 120.0])))
    assert "≤ 2 s: met" in met
    assert "(143 MiB): met" in met
    missed = "\n".join(topology_section(figures([0.8, 2.1], [110.0, 144.0])))
    assert "≤ 2 s: **missed**" in missed
    assert "(143 MiB): **missed**" in missed  # 144 MiB is 151 MB


def test_the_section_keeps_its_place_and_lists_every_size() -> None:
    lines = topology_section(figures([1.0], [100.0]))
    assert lines[0] == HEADINGS["topology"]
    assert sections_of("\n".join(lines))[HEADINGS["topology"]][0] == HEADINGS["topology"]
    rows = [line for line in lines if line.startswith(("| 4 |", "| 40 |", "| 396 |"))]
    assert rows == ["| 4 | 44 | 8 |", "| 40 | 44 | 8 |", "| 396 | 44 | 8 |"]
