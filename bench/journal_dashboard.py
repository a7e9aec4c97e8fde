"""The dashboard's latency with the journal on PostgreSQL, on SQLite, and off.

    .venv/bin/python -m bench.journal_dashboard [--latency-ms 20] [--requests 60]
                                                [--repeats 3] [--json PATH]

Runs `bench.dashboard` (the "Mein Konto" query, one gateway over the topology sandbox, both
in one process) once per mode and repetition, each in a fresh process (a sandbox leaves
its secrets in the environment), the modes interleaved so that a drifting machine load
hits each alike. A dashboard reads the journal three times (the viewer's
submissions, account links and payment links). "off" runs on SQLite, but answers those
three reads from memory once the database answered them (any write forgets the answers):
the same data, so the same upstream calls, without the database. Reports each mode's
median p50 and p95 over the repetitions, and the upstream calls per query, which must be
equal in every mode for the comparison to be fair.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from bench.dashboard import main as dashboard
from bench.journal import DEFAULT_POSTGRES, fresh_postgres
from sources.journal.accounts import AccountLinks
from sources.journal.database import Database
from sources.journal.payments import PaymentLinks
from sources.journal.submissions import Submissions

READS: tuple[tuple[type, str], ...] = (
    (Submissions, "for_subject"),
    (AccountLinks, "valid"),
    (PaymentLinks, "for_subject"),
)
MODES = ("postgresql", "sqlite", "off")
ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def journal_off() -> Iterator[None]:
    """The dashboard's journal reads answered from memory after their first answer."""
    answers: dict[tuple[Any, ...], list[Any]] = {}
    saved = [(owner, name, getattr(owner, name)) for owner, name in READS]
    write = Database.write

    def remembered(name: str, method: Callable[..., Awaitable[list[Any]]]) -> Any:
        async def answer(self: Any, *args: Any) -> list[Any]:
            if (name, *args) not in answers:
                answers[(name, *args)] = await method(self, *args)
            return list(answers[(name, *args)])

        return answer

    def forgetting(self: Database) -> Any:  # Database.write's context manager
        answers.clear()  # a write may change what the reads answer
        return write(self)

    for owner, name, method in saved:
        setattr(owner, name, remembered(f"{owner.__name__}.{name}", method))
    Database.write = forgetting  # type: ignore[method-assign]
    try:
        yield
    finally:
        for owner, name, method in saved:
            setattr(owner, name, method)
        Database.write = write  # type: ignore[method-assign]


@asynccontextmanager
async def database(mode: str, server: str) -> AsyncIterator[str | None]:
    """The journal URL of `mode`: a fresh PostgreSQL database, or None (a SQLite file)."""
    if mode != "postgresql":
        yield None
        return
    async with fresh_postgres(server) as url:
        yield url


async def one(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    """One run of `mode`, in this process."""
    async with database(mode, args.postgres) as url:
        if mode == "off":
            with journal_off():
                return await dashboard(args.latency_ms, args.requests, args.login, url)
        return await dashboard(args.latency_ms, args.requests, args.login, url)


def in_a_process(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    """One run of `mode` in a fresh interpreter; its last output line is the JSON result."""
    command = [sys.executable, "-m", "bench.journal_dashboard", "--mode", mode]
    for option in ("latency_ms", "requests", "login", "postgres"):
        command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(args: argparse.Namespace) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for _ in range(args.repeats):
        for mode in MODES:
            runs[mode].append(in_a_process(mode, args))
    calls = {mode: [r["upstream_calls_per_query"] for r in found] for mode, found in runs.items()}
    return {
        mode: {
            "p50_ms": statistics.median(r["median_ms"] for r in found),
            "p95_ms": statistics.median(r["p95_ms"] for r in found),
            "runs_p50_ms": [r["median_ms"] for r in found],
            "same_upstream_calls": all(c == calls[MODES[0]][0] for c in calls[mode]),
        }
        for mode, found in runs.items()
    }


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"dashboard with the journal on each backend ({args.requests} requests × "
        f"{args.repeats} runs, {args.latency_ms} ms injected upstream latency)"
    )
    print(f"{'journal':<11} {'p50 ms':>7} {'p95 ms':>7}  same upstream calls  runs (p50)")
    for mode, entry in results.items():
        runs = ", ".join(f"{p:.1f}" for p in entry["runs_p50_ms"])
        print(
            f"{mode:<11} {entry['p50_ms']:>7.1f} {entry['p95_ms']:>7.1f}  "
            f"{entry['same_upstream_calls']!s:<19}  {runs}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--login", default="erika")
    parser.add_argument(
        "--postgres", default=os.environ.get("PORTALGRAPH_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--mode", choices=MODES, help="one run of this mode only (JSON)")
    arguments = parser.parse_args()
    if arguments.mode:
        print(json.dumps(asyncio.run(one(arguments.mode, arguments))))
        sys.exit(0)
    measured = compare(arguments)
    report(measured, arguments)
    if arguments.json:
        arguments.json.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
