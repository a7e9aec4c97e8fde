"""What one citizen's dashboard costs upstream at 4 / 40 / 396 municipalities.

Run: `.venv/bin/python -m bench.citizen_cost` (add `--sandbox` for the same over real HTTP
against the topology sandbox, counted by every upstream's `/_sandbox/stats`).

In process: Erika has two sent cases (Köln, Dormagen),
account links and one payment in a real journal (SQLite); the upstreams are counting
fakes (tests/helpers/citizen_world.py) in two layouts: Kommunalportal.NRW as one platform
entry, and one account area per municipality. The dashboard is what the `me` resolvers
ask (applications with history and payments, inbox, accounts). Figures: upstream calls,
which upstreams, and the best-of-7 time of the gateway's side (journal read included).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from graph.testing import LoopThread
from sources.journal import Journal, upgrade
from tests.helpers.citizen_erika import erika_has_things
from tests.helpers.citizen_network import one_network
from tests.helpers.citizen_world import dashboard, world

COUNTS = (4, 40, 396)
RUNS = 7


async def figures(journal: Journal, *, platform: bool) -> list[tuple[int, int, int, float]]:
    """(municipalities, upstream calls, distinct upstreams, best ms) per network size."""
    rows = []
    for count in COUNTS:
        best, calls, upstreams = float("inf"), 0, 0
        for _ in range(RUNS):
            network = world(count, journal, platform=platform)
            started = time.perf_counter()
            await dashboard(network.view("erika-token"))
            best = min(best, time.perf_counter() - started)
            calls = sum(network.calls.counted.values())
            upstreams = len({call.split()[0] for call in network.calls.counted})
        rows.append((count, calls, upstreams, best * 1000))
    return rows


def sandbox_rows() -> list[tuple[int, int, int]]:
    """(municipalities, upstream calls, upstreams asked) of the dashboard of
    tests/e2e/test_citizen_cost.py at each size, over real HTTP."""
    loop = LoopThread()
    rows = []
    try:
        for count in COUNTS:
            with tempfile.TemporaryDirectory() as folder:
                _, calls = one_network(count, loop, Path(folder))
            rows.append((count, sum(sum(c.values()) for c in calls.values()), len(calls)))
    finally:
        loop.close()
    return rows


def sandbox_figures() -> None:
    print("\ntopology sandbox, real HTTP\n| municipalities | upstream calls | upstreams asked |")
    print("|---|---|---|")
    for count, total, asked in sandbox_rows():
        print(f"| {count} | {total} | {asked} |")


async def main() -> None:
    for platform in (True, False):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'journal.db'}"
            await upgrade(url)
            async with Journal.connect(url) as journal:
                await erika_has_things(journal, 4, platform=platform)
                rows = await figures(journal, platform=platform)
        layout = "one platform entry" if platform else "an account area per municipality"
        print(f"\n{layout}\n| municipalities | upstream calls | upstreams asked | gateway side |")
        print("|---|---|---|---|")
        for count, calls, upstreams, ms in rows:
            print(f"| {count} | {calls} | {upstreams} | {ms:.1f} ms |")


if __name__ == "__main__":
    asyncio.run(main())
    if "--sandbox" in sys.argv:
        sandbox_figures()
