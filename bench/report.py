"""bench/RESULTS.md: machine, versions, command, date, and every figure against the floor.

Each cell is the median of the repetitions with [min–max]; ratios divide the gateway's
median by the floor's median measured in the same run, at the same concurrency.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import statistics
import subprocess
from pathlib import Path
from typing import Any

from bench.procs import describe_pinning

VERSIONS = (
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "httpx",
    "uvloop",
    "orjson",
)
METRICS = ("rps", "p50", "p95", "p99", "cpu_ms_per_req")


def cell(values: list[float], digits: int = 1) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def med(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows) if rows else float("nan")


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    pin = describe_pinning()
    versions = ", ".join(f"{n} {importlib.metadata.version(n)}" for n in VERSIONS)
    return [
        f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}; commit {commit} (plus working tree)",
        f"- machine: {cpu}, {pin['cores']} cores, {platform.platform()}, Python {platform.python_version()}",
        f"- versions: {versions}",
        f"- pinning: gateway (and the floor standing in for it) on core {pin['gateway_core']}, "
        f"sandbox + load generator + WebSocket clients on core {pin['client_core']}, via `taskset -c` "
        f"(pinned: {pin['pinned']})",
    ]


def http_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| scenario | upstream latency | concurrency | side | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | p50 ÷ floor | p99 ÷ floor | req/s ÷ floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        key = (row["scenario"], row.get("variant", ""), row["latency"], row["c"], row["side"])
        groups.setdefault(key, []).append(row)
    for (scenario, variant, latency, c, side), found in groups.items():
        floor = groups.get((scenario, "no cache" if variant else "", latency, c, "floor"), [])
        ratios = ["–", "–", "–"]
        if side == "gateway" and floor:
            ratios = [
                f"{med(found, 'p50') / med(floor, 'p50'):.2f}",
                f"{med(found, 'p99') / med(floor, 'p99'):.2f}",
                f"{med(found, 'rps') / med(floor, 'rps'):.2f}",
            ]
        name = f"{scenario} ({variant})" if variant else scenario
        cells = [cell([r[m] for r in found], 2 if m == "cpu_ms_per_req" else 1) for m in METRICS]
        lines.append(
            f"| {name} | {latency} ms | {c} | {side} | {' | '.join(cells)} | {' | '.join(ratios)} |"
        )
    return lines


NOTES = Path(__file__).with_name("results_notes.md")  # hand-written analysis, appended


def write_report(figures: dict[str, Any], out: Path, peer: list[str]) -> None:
    """`peer` is the peer section's lines (bench/peer_report.py), placed after the HTTP table."""
    notes = NOTES.read_text(encoding="utf-8") if NOTES.exists() else ""
    live = figures["live"]
    calls = figures["calls"]
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{' '.join(['python', '-m', 'bench', *figures['argv'][1:]])}` "
        f"(`make bench`), {figures['elapsed_s']:.0f} s in all.",
        "",
        *machine(),
        "",
        "## Upstream calls per query (gateway ÷ floor, same queries, from `/_sandbox/stats`)",
        "",
        "| query | gateway calls | floor calls | ratio | routes that differ |",
        "|---|---|---|---|---|",
    ]
    for name, c in calls.items():
        lines.append(
            f"| {name} | {c['gateway_calls']} | {c['floor_calls']} | {c['ratio']:.2f} | {c['differences'] or 'none'} |"
        )
    lines += [
        "",
        "## HTTP scenarios (median [min–max] of the repetitions)",
        "",
        *http_table(figures["rows"]),
        "",
        *peer,
    ]
    lines += ["## Subscriptions (median [min–max])", "", "| figure | value |", "|---|---|"]
    small, large = live["sizes"]
    for key, label in (
        ("kib_per_sub_small", f"KiB RSS per idle subscription, {small} connections"),
        ("kib_per_sub_large", f"KiB RSS per idle subscription, {large} connections"),
        (
            "heap_kib_per_sub",
            f"KiB Python heap per idle subscription, {small} (tracemalloc, 1 run)",
        ),
        ("p50_ms", f"event-to-client p50 ms, {small} subscribers, 1,000 events/s"),
        ("p99_ms", f"event-to-client p99 ms, {small} subscribers, 1,000 events/s"),
        ("events_per_s", "events published per second (achieved)"),
        ("delivered", "share of events delivered"),
        ("event_cpu_ms", "gateway CPU ms per event"),
    ):
        lines.append(f"| {label} | {cell(list(live[key]), 2)} |")
    lines += [
        "",
        "## Start-up",
        "",
        "| figure | value |",
        "|---|---|",
        f"| cold start (spawn → first answered operation), s | {cell(figures['cold_start_s'], 2)} |",
        f"| idle RSS after start, MiB | {cell([k / 1024 for k in figures['idle_rss_kib']])} |",
        f"| peak RSS of the HTTP-scenario gateway, MiB | {figures['peak_rss_kib'] / 1024:.1f} |",
        "",
    ]
    out.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")
