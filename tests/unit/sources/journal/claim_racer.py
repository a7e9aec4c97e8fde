"""One OS process of the cross-process race: claims keys race-0 … race-N-1 on a journal.

    python -m tests.unit.sources.journal.claim_racer URL OWNER ROUNDS START_AT

Round i starts at START_AT + i × STEP (wall clock), so processes started separately hit
the same key at the same moment. Prints one JSON list of outcomes, in round order.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from sources.journal import Draft, Journal

STEP = 0.03
DRAFT = Draft("99085001012000", "Reisepass beantragen", "053150000000")


async def race(url: str, owner: str, rounds: int, start_at: float) -> list[str]:
    outcomes = []
    async with Journal.connect(url) as journal:
        await journal.ping()  # connect before the first round, not during it
        for index in range(rounds):
            await asyncio.sleep(max(0.0, start_at + index * STEP - time.time()))
            claim = await journal.submissions.claim(
                "racer", f"race-{index}", "fp", DRAFT, owner=owner, lease_seconds=60
            )
            outcomes.append(claim.outcome.value)
    return outcomes


def main() -> None:
    url, owner, rounds, start_at = sys.argv[1:5]
    print(json.dumps(asyncio.run(race(url, owner, int(rounds), float(start_at)))))


if __name__ == "__main__":
    main()
