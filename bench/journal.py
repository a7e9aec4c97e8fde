"""The journal's cost per submission: claim → announced → uploaded ×2 → submitted.

    .venv/bin/python -m bench.journal [--lifecycles 400] [--repeats 3] [--concurrency 8]
                                      [--postgres URL] [--json PATH]

Five write transactions per lifecycle (the callback secret encrypted on announce), timed
end to end in one process: sequentially (the latency one request adds) and with
`--concurrency` lifecycles at once (what a busy replica sees; SQLite has one writer).
SQLite runs on a temporary file with the journal's settings (WAL, synchronous=FULL);
PostgreSQL on a database created for the run and dropped after (default: the test server,
PORTALGRAPH_TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/postgres). Reports
p50/p99 per lifecycle in ms for each repetition and their median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from sources.journal import (
    Announcement,
    AttachmentDigest,
    ClaimOutcome,
    Draft,
    Journal,
    SecretBox,
    upgrade,
)

DRAFT = Draft(
    "99085001012000",
    "Reisepass beantragen",
    "053150000000",
    (
        AttachmentDigest("a" * 128, 250_000, "application/pdf"),
        AttachmentDigest("b" * 128, 90_000, "image/jpeg"),
    ),
)
KEYS = SecretBox.parse("bench:" + SecretBox.new_key())
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


async def lifecycle(journal: Journal, subject: str, key: str) -> float:
    started = time.perf_counter()
    claim = await journal.submissions.claim(
        subject, key, "fp", DRAFT, owner="bench", lease_seconds=60
    )
    assert claim.outcome is ClaimOutcome.NEW and claim.ticket is not None
    ids = (f"{key}-1", f"{key}-2")
    announcement = Announcement("fitconnect", "dest", f"sub-{key}", f"case-{key}", ids, "s" * 48)
    await journal.submissions.announced(claim.ticket, announcement)
    for attachment_id in ids:
        await journal.submissions.uploaded(claim.ticket, attachment_id)
    await journal.submissions.submitted(claim.ticket)
    return time.perf_counter() - started


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def measure(
    journal: Journal, lifecycles: int, concurrency: int, run: int
) -> dict[str, float]:
    prefix = f"run{run}-c{concurrency}"
    for index in range(20):  # warm the pool and the statement caches
        await lifecycle(journal, "warm", f"{prefix}-warm-{index}")
    samples: list[float] = []
    queue = iter(range(lifecycles))

    async def worker(slot: int) -> None:
        for index in queue:
            samples.append(await lifecycle(journal, f"citizen-{slot}", f"{prefix}-{index}"))

    started = time.perf_counter()
    await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": percentile(samples, 0.5) * 1000,
        "p99_ms": percentile(samples, 0.99) * 1000,
        "lifecycles_per_s": lifecycles / elapsed,
    }


async def bench(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await upgrade(url)
    figures: dict[str, Any] = {}
    async with Journal.connect(url, secrets=KEYS, pool_size=max(5, args.concurrency)) as journal:
        for concurrency in sorted({1, args.concurrency}):
            runs = [
                await measure(journal, args.lifecycles, concurrency, r) for r in range(args.repeats)
            ]
            figures[f"concurrency {concurrency}"] = {
                "runs": runs,
                "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]},
            }
    return figures


@asynccontextmanager
async def fresh_postgres(server: str) -> AsyncIterator[str]:
    name = f"portalgraph_bench_{secrets.token_hex(4)}"
    admin = create_async_engine(
        make_url(server).set(drivername="postgresql+asyncpg"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="portalgraph-bench-") as folder:
        results["sqlite"] = await bench(f"sqlite:///{Path(folder) / 'journal.db'}", args)
    try:
        async with fresh_postgres(args.postgres) as url:
            results["postgresql"] = await bench(url, args)
    except (OSError, ConnectionError) as exc:
        results["postgresql"] = {"skipped": f"PostgreSQL not reachable: {exc}"}
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"journal cost per submission lifecycle ({args.lifecycles} lifecycles × {args.repeats} runs)"
    )
    print(
        f"{'backend':<11} {'concurrency':>11} {'p50 ms':>8} {'p99 ms':>8} {'lifecycles/s':>13}  runs (p50/p99)"
    )
    for backend, figures in results.items():
        if "skipped" in figures:
            print(f"{backend:<11} {figures['skipped']}")
            continue
        for label, entry in figures.items():
            median = entry["median"]
            runs = ", ".join(f"{r['p50_ms']:.2f}/{r['p99_ms']:.2f}" for r in entry["runs"])
            print(
                f"{backend:<11} {label.split()[1]:>11} {median['p50_ms']:>8.2f} "
                f"{median['p99_ms']:>8.2f} {median['lifecycles_per_s']:>13.0f}  {runs}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--postgres", default=os.environ.get("PORTALGRAPH_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    )
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    measured = asyncio.run(main(arguments))
    report(measured, arguments)
    if arguments.json:
        arguments.json.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
