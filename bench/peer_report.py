"""The peer section of bench/RESULTS.md: Portalgraph ÷ Hive Gateway + Mesh per cell.

`python -m bench --only peer` measures just this section and writes it into an
existing RESULTS.md (bench/report.py `publish`), so the other figures stay as they
were, with their own dates.
"""

from __future__ import annotations

import datetime
from typing import Any

from bench.report import HEADINGS, cell, med

HEADING = HEADINGS["peer"]


def peer_section(peer: dict[str, Any], argv: list[str]) -> list[str]:
    if "skipped" in peer:
        return [HEADING, "", f"Not measured: {peer['skipped']}.", ""]
    load = peer["loadavg"]
    versions = ", ".join(f"{k} {v}" for k, v in peer["versions"].items())
    lines = [
        HEADING,
        "",
        f"- command: `{' '.join(['python', '-m', 'bench', *argv[1:]])}`; "
        f"{datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- versions: {versions}",
        f"- load average (1/5/15 min) before {fmt_load(load[0])}, after {fmt_load(load[1])} on "
        f"2 cores: {'**noisy** (other work on the machine)' if max(load[0][0], load[1][0]) > 1.5 else 'quiet'}",
        "- both gateways pinned to the gateway core, one process each; Portalgraph with "
        "`PORTALGRAPH_CACHE=off PORTALGRAPH_RESPONSE_CACHE=off`, Hive with no response cache; "
        "sides alternate per repetition; ratios are Portalgraph's median ÷ Hive's median "
        "(CPU ÷ Hive < 1 and req/s ÷ Hive > 1 mean Portalgraph is ahead)",
        "",
        "| workload | concurrency | side | req/s | p50 ms | p99 ms | CPU ms/req | CPU ÷ Hive | req/s ÷ Hive | p50 ÷ Hive | p99 ÷ Hive |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for row in peer["rows"]:
        groups.setdefault((row["workload"], row["c"], row["side"]), []).append(row)
    for (workload, c, side), found in groups.items():
        hive = groups.get((workload, c, "hive"), [])
        ratios = ["–"] * 4
        if side == "portalgraph" and hive:
            ratios = [
                f"{med(found, key) / med(hive, key):.2f}"
                for key in ("cpu_ms_per_req", "rps", "p50", "p99")
            ]
        cells = [
            cell([r[key] for r in found], 2 if key == "cpu_ms_per_req" else 1)
            for key in ("rps", "p50", "p99", "cpu_ms_per_req")
        ]
        lines.append(f"| {workload} | {c} | {side} | {' | '.join(cells)} | {' | '.join(ratios)} |")
    lines += [
        "",
        "Same data, checked before measuring (the topology sandbox's one PVOG; sandbox call"
        " counts of a warm request, and of each side's first request in brackets):",
        "",
        "| workload | items Portalgraph / Hive | response bytes Portalgraph / Hive "
        "| upstream calls Portalgraph / Hive |",
        "|---|---|---|---|",
    ]
    for workload, check in peer["checks"].items():
        lines.append(
            f"| {workload} | {check['portalgraph_items']} / {check['hive_items']} | "
            f"{check['portalgraph_bytes']} / {check['hive_bytes']} | "
            f"{check['portalgraph_upstream_calls']} / {check['upstream_calls']} "
            f"({check['portalgraph_first_calls']} / {check['hive_first_calls']}) |"
        )
    rss, cold = peer["rss_kib"], peer["cold_start_s"]
    lines += [
        "",
        f"RSS after the peer runs: Portalgraph {rss['portalgraph']['VmRSS'] / 1024:.0f} MiB, "
        f"Hive {rss['hive']['VmRSS'] / 1024:.0f} MiB; cold start (spawn → first answer) "
        f"Portalgraph {cold['portalgraph']:.2f} s, Hive {cold['hive']:.2f} s.",
        "",
    ]
    return lines


def fmt_load(load: list[float]) -> str:
    return "/".join(f"{x:.1f}" for x in load)
