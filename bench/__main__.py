"""`make bench`: the whole suite against the floor; writes bench/RESULTS.md.

`python -m bench [--smoke] [--only PARTS] [--out PATH] [--json PATH]`. --smoke (a few
seconds, small sandbox, one repetition) only shows that each scenario runs and that the
gateway makes exactly the floor's upstream calls; tests/e2e/test_bench_smoke.py runs it.
The parts are topology (start-up with the full network file v2 and a citizen's dashboard
cost at 4 / 40 / 396 municipalities, bench/topology_start.py), http (floor scenarios,
upstream calls, start-up), workers (two workers against one), peer (Hive Gateway +
GraphQL Mesh, bench/peer_suite.py), live (subscriptions) and journal (cost per submission,
the dashboard with the journal on each backend: bench/journal_part.py); `--only workers,peer`
measures just those. Each section is written into
RESULTS.md as soon as it is measured, so a later failure loses nothing measured before.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.http_part import http_scenarios
from bench.journal_part import journal_figures, journal_section
from bench.live_suite import live_figures
from bench.peer_report import peer_section
from bench.peer_suite import peer_figures
from bench.procs import CLIENT_CORE, MUNICIPALITIES, Sandbox, end_all, pin_self
from bench.report import live_section, publish
from bench.topology_start import topology_figures, topology_section
from bench.workers import workers_figures, workers_section

# The full network (396 municipalities) is the topology part's; the others run on
# bench.procs.MUNICIPALITIES.
PARTS = ("topology", "http", "workers", "peer", "live", "journal")
# Parts that start what they measure themselves, without the shared sandbox.
OWN_SERVERS = {"topology", "journal"}


def parts_of(value: str) -> tuple[str, ...]:
    parts = PARTS if value == "all" else tuple(p.strip() for p in value.split(","))
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown parts {sorted(unknown)}; known: all, {PARTS}")
    return parts


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--only", type=parts_of, default=PARTS, help="all, or some of " + ",".join(PARTS)
    )
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 3)")
    parser.add_argument(
        "--live-large",
        type=int,
        default=10_000,
        help="connections of the large subscription figure (a busy machine: fewer)",
    )
    parser.add_argument(
        "--topology",
        type=int,
        default=None,
        metavar="MUNICIPALITIES",
        help="municipalities of the topology sandbox (network file v2); default 4 with"
        f" --smoke, else {MUNICIPALITIES}",
    )
    opts = parser.parse_args()
    opts.citizens = 300 if opts.smoke else 10_000
    if opts.topology is None:
        opts.topology = 4 if opts.smoke else MUNICIPALITIES
    opts.seconds, reps = (0.3, 1) if opts.smoke else (2.5, 3)
    opts.reps = opts.reps or reps
    return opts


def main() -> int:
    opts = options()
    parts: tuple[str, ...] = opts.only

    def publish_now(key: str, section: list[str]) -> None:
        if not opts.smoke:  # a smoke run's figures mean nothing
            publish(opts.out, key, section, sys.argv)

    pin_self(CLIENT_CORE)
    started = time.perf_counter()
    figures: dict[str, Any] = {"calls": {}, "skipped": {}}

    def skip(part: str, why: str) -> None:
        """A part that does not run here: said on stderr and in the --json figures."""
        figures["skipped"][part] = why
        print(f"bench: {part} skipped: {why}", file=sys.stderr, flush=True)

    if "topology" in parts and opts.smoke:
        skip("topology", "the full network (396 municipalities) has no smoke run")
    with tempfile.TemporaryDirectory(prefix="portalgraph-bench-") as tmp:
        work = Path(tmp)
        own_server_parts(opts, work, figures, publish_now)
        if not set(parts) - OWN_SERVERS:
            end_all()
            return report(figures, opts, started)
        sandbox = Sandbox(work, opts.citizens, topology=opts.topology)
        try:
            if "http" in parts:
                figures.update(asyncio.run(http_scenarios(opts, sandbox, work, publish_now)))
            if opts.smoke and len(parts) > 1:
                for part in {"workers", "peer"} & set(parts):
                    # Their own smoke tests run them: tests/e2e/test_workers.py and
                    # tests/e2e/test_bench_peer_smoke.py.
                    skip(part, "a smoke run of several parts leaves it to its own smoke test")
            if "workers" in parts and not (opts.smoke and len(parts) > 1):
                figures["workers"] = asyncio.run(
                    workers_figures(sandbox, seconds=opts.seconds, reps=opts.reps)
                )
                publish_now("workers", workers_section(figures["workers"]))
            if "peer" in parts and not (opts.smoke and len(parts) > 1):
                figures["peer"] = asyncio.run(
                    peer_figures(sandbox, work, seconds=opts.seconds, reps=opts.reps)
                )
                if "skipped" in figures["peer"]:
                    skip("peer", figures["peer"]["skipped"])
                publish_now("peer", peer_section(figures["peer"], sys.argv))
            if "live" in parts:
                sandbox.latency(0)
                load = [os.getloadavg()]
                figures["live"] = asyncio.run(live_figures(opts, sandbox))
                publish_now("live", live_section(figures["live"], [*load, os.getloadavg()]))
        finally:
            sandbox.stop()
            end_all()
    return report(figures, opts, started)


def own_server_parts(
    opts: argparse.Namespace,
    work: Path,
    figures: dict[str, Any],
    publish_now: Callable[[str, list[str]], None],
) -> None:
    """The parts that start what they measure (OWN_SERVERS), before the shared sandbox."""
    if "topology" in opts.only and not opts.smoke:  # 396 municipalities: no smoke run
        (work / "topology").mkdir()
        figures["topology"] = topology_figures(work / "topology")
        publish_now("topology", topology_section(figures["topology"]))
    if "journal" in opts.only and opts.smoke and len(opts.only) > 1:
        # Its own smoke test runs it: tests/e2e/test_journal_bench.py.
        figures["skipped"]["journal"] = "a smoke run of several parts leaves it to its own test"
    elif "journal" in opts.only:
        figures["journal"] = journal_figures(smoke=opts.smoke)
        publish_now("journal", journal_section(figures["journal"]))


def report(figures: dict[str, Any], opts: argparse.Namespace, started: float) -> int:
    figures["elapsed_s"] = time.perf_counter() - started
    figures["smoke"] = opts.smoke
    figures["argv"] = sys.argv
    if opts.json is not None:
        opts.json.write_text(json.dumps(figures, indent=1))
    print(json.dumps({k: figures[k] for k in ("calls", "elapsed_s")}, indent=1))
    if "checks" in figures.get("peer", {}):
        print(json.dumps({"peer": figures["peer"]["checks"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
