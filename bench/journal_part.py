"""`make bench` part journal: the journal's cost per submission (bench/journal.py) and the
dashboard with the journal on PostgreSQL, on SQLite and off (bench/journal_dashboard.py).

Both run as their own processes (each writes --json), one after the other, so that their
figures are the same as when they are run by hand; `smoke` makes them small (seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.report import HEADINGS, measured_line

ROOT = Path(__file__).resolve().parents[1]
FULL = {
    "journal": ["--lifecycles", "400", "--repeats", "3", "--concurrency", "8"],
    "journal_dashboard": ["--requests", "60", "--repeats", "3"],
}
STDERR_LINES = 60  # a traceback through asyncio and SQLAlchemy, not a whole log
SMOKE = {
    "journal": ["--lifecycles", "10", "--repeats", "1", "--concurrency", "2"],
    "journal_dashboard": ["--requests", "3", "--repeats", "1", "--latency-ms", "0"],
}


def journal_figures(*, smoke: bool = False) -> dict[str, Any]:
    """{"cost": bench.journal's figures, "dashboard": bench.journal_dashboard's, "load"}."""
    sizes = SMOKE if smoke else FULL
    figures: dict[str, Any] = {"load": [os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="portalgraph-bench-journal-") as folder:
        for key, module in (("cost", "journal"), ("dashboard", "journal_dashboard")):
            out = Path(folder) / f"{module}.json"
            command = [sys.executable, "-m", f"bench.{module}", *sizes[module], "--json", str(out)]
            run_measuring(command)
            figures[key] = json.loads(out.read_text(encoding="utf-8"))
    figures["load"].append(os.getloadavg())
    return figures


def run_measuring(command: list[str]) -> None:
    """Runs one measuring process; when it fails, its stderr (the traceback) is in the error."""
    done = subprocess.run(  # the return code is read below, with the stderr
        command, check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:3])} exited with {done.returncode}; its stderr:\n"
            + "\n".join(done.stderr.splitlines()[-STDERR_LINES:])
        )


def journal_section(figures: dict[str, Any]) -> list[str]:
    lines = [HEADINGS["journal"], "", measured_line(figures["load"]), ""]
    lines += [
        "Journal cost per submission lifecycle (claim → announced → uploaded ×2 → submitted,",
        "`python -m bench.journal`), medians of the runs:",
        "",
        "| backend | lifecycles at once | p50 ms | p99 ms | lifecycles/s |",
        "|---|---|---|---|---|",
    ]
    for backend, entries in figures["cost"].items():
        if "skipped" in entries:
            lines.append(f"| {backend} | {entries['skipped']} | | | |")
            continue
        for label, entry in entries.items():
            m = entry["median"]
            lines.append(
                f"| {backend} | {label.split()[1]} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} "
                f"| {m['lifecycles_per_s']:.0f} |"
            )
    lines += [
        "",
        "The dashboard with the journal on each backend (`python -m bench.journal_dashboard`;",
        "off: its three journal reads answered from memory), medians of the runs:",
        "",
        "| journal | p50 ms | p95 ms | same upstream calls |",
        "|---|---|---|---|",
    ]
    for mode, entry in figures["dashboard"].items():
        lines.append(
            f"| {mode} | {entry['p50_ms']:.1f} | {entry['p95_ms']:.1f} "
            f"| {entry['same_upstream_calls']} |"
        )
    return [*lines, ""]
