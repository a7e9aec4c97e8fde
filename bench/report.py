"""bench/RESULTS.md: machine, versions, command, date, and every figure against the floor.

Each cell is the median of the repetitions with [min–max]; ratios divide the gateway's
median by the floor's median measured in the same run, at the same concurrency.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
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
# The measured sections, in the report's order. Each is written as soon as it is measured
# (`publish`): a later failure, or `--only`, leaves the others as they were, with their dates.
HEADINGS = {
    "calls": "## Upstream calls per query (gateway ÷ floor, same queries, from `/_sandbox/stats`)",
    "http": "## HTTP scenarios (median [min–max] of the repetitions)",
    "workers": "## Workers: PORTALGRAPH_WORKERS=2 against one worker",
    "peer": "## Peer: Hive Gateway + GraphQL Mesh (same sandbox, same load)",
    "live": "## Subscriptions (median [min–max])",
    "startup": "## Start-up",
    "topology": "## Full network: start-up and a citizen's cost (network file v2, 396 municipalities)",
    "journal": "## Journal: cost per submission, and the dashboard on PostgreSQL, SQLite and off",
}


def measured_line(load: list[tuple[float, float, float]]) -> str:
    """When, and how busy the machine was (1/5/15-minute load average, before/after)."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    spans = " → ".join("/".join(f"{x:.1f}" for x in one) for one in load)
    busy = max(one[0] for one in load) > 1.5
    return (
        f"- measured {when}; load average {spans} on {os.cpu_count()} cores"
        f"{': **noisy** (other work on the machine)' if busy else ''}"
    )


def sections_of(text: str) -> dict[str, list[str]]:
    """The measured sections of an existing report, by heading."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = found.setdefault(line, []) if line in HEADINGS.values() else None
        if current is not None:
            current.append(line)
    return found


def publish(out: Path, key: str, section: list[str], argv: list[str]) -> None:
    """Write `section` into the report now, keeping the other measured sections."""
    kept = sections_of(out.read_text(encoding="utf-8")) if out.exists() else {}
    kept[HEADINGS[key]] = section
    notes = NOTES.read_text(encoding="utf-8") if NOTES.exists() else ""
    lines = [
        "# Benchmark results",
        "",
        f"Last command: `{' '.join(['python', '-m', 'bench', *argv[1:]])}` (`make bench` runs "
        "them all); each section was written when it was measured and says when.",
        "",
        *machine(),
        "",
    ]
    for heading in HEADINGS.values():
        lines += kept.get(heading, [])
        if lines[-1] != "":
            lines.append("")
    out.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")


def calls_section(
    calls: dict[str, Any], load: list[tuple[float, float, float]], note: str = ""
) -> list[str]:
    lines = [
        HEADINGS["calls"],
        "",
        measured_line(load),
        *([note] if note else []),
        "",
        "| query | gateway calls | floor calls | ratio | routes that differ |",
        "|---|---|---|---|---|",
    ]
    for name, c in calls.items():
        lines.append(
            f"| {name} | {c['gateway_calls']} | {c['floor_calls']} | {c['ratio']:.2f} | {c['differences'] or 'none'} |"
        )
    return [*lines, ""]


def http_section(
    rows: list[dict[str, Any]], load: list[tuple[float, float, float]], note: str = ""
) -> list[str]:
    noted = [note] if note else []
    return [HEADINGS["http"], "", measured_line(load), *noted, "", *http_table(rows), ""]


def live_section(live: dict[str, Any], load: list[tuple[float, float, float]]) -> list[str]:
    lines = [HEADINGS["live"], "", measured_line(load), "", "| figure | value |", "|---|---|"]
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
        if key in live:
            lines.append(f"| {label} | {cell(list(live[key]), 2)} |")
    return [*lines, ""]


def startup_section(figures: dict[str, Any], load: list[tuple[float, float, float]]) -> list[str]:
    return [
        HEADINGS["startup"],
        "",
        measured_line(load),
        "",
        "| figure | value |",
        "|---|---|",
        f"| cold start (spawn → first answered operation), s | {cell(figures['cold_start_s'], 2)} |",
        f"| idle RSS after start, MiB | {cell([k / 1024 for k in figures['idle_rss_kib']])} |",
        f"| peak RSS of the HTTP-scenario gateway, MiB | {figures['peak_rss_kib'] / 1024:.1f} |",
        "",
    ]
