"""Racing claims: two engines (and on PostgreSQL two OS processes) claim the same key at
the same moment; exactly one of them may start the attempt."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from sources.journal import ClaimOutcome, Journal
from tests.unit.sources.journal.conftest import DRAFT, Clock, empty

ROUNDS = 50
ROOT = Path(__file__).resolve().parents[4]


async def test_two_engines_claiming_one_key_get_exactly_one_new_per_round(
    database_url: str, clock: Clock
) -> None:
    async with (
        Journal.connect(database_url, clock=clock) as one,
        Journal.connect(database_url, clock=clock) as two,
    ):
        for index in range(ROUNDS):
            # Two claimers per engine: the race is inside each pool as well as across them.
            claims = await asyncio.gather(
                *(
                    journal.submissions.claim(
                        "racer", f"race-{index}", "fp", DRAFT, owner=owner, lease_seconds=60
                    )
                    for journal, owner in ((one, "a1"), (two, "b1"), (one, "a2"), (two, "b2"))
                )
            )
            outcomes = Counter(c.outcome for c in claims)
            assert outcomes == {ClaimOutcome.NEW: 1, ClaimOutcome.BUSY: 3}, index
        assert len(await one.entries("racer")) == ROUNDS


async def test_two_engines_resuming_an_expired_lease_get_exactly_one_resume(
    database_url: str, clock: Clock
) -> None:
    async with (
        Journal.connect(database_url, clock=clock) as one,
        Journal.connect(database_url, clock=clock) as two,
    ):
        for index in range(ROUNDS):
            key = f"expired-{index}"
            await one.submissions.claim("racer", key, "fp", DRAFT, owner="dead", lease_seconds=1)
            clock.advance(2)
            claims = await asyncio.gather(
                one.submissions.claim("racer", key, "fp", DRAFT, owner="a", lease_seconds=60),
                two.submissions.claim("racer", key, "fp", DRAFT, owner="b", lease_seconds=60),
            )
            assert sorted(c.outcome for c in claims) == [ClaimOutcome.BUSY, ClaimOutcome.RESUME]
            [winner] = [c for c in claims if c.outcome is ClaimOutcome.RESUME]
            assert winner.entry.attempts == 2
            assert winner.ticket is not None
            assert winner.entry.lease_owner == winner.ticket.owner


@pytest.mark.slow
def test_two_processes_claiming_one_key_on_postgresql_get_exactly_one_new(
    postgres_url: str,
) -> None:
    asyncio.run(empty(postgres_url))
    start_at = time.time() + 3  # both interpreters import and connect before round 0
    racers = [
        subprocess.Popen(  # noqa: S603 - our own script, test-chosen arguments
            [
                sys.executable,
                "-m",
                "tests.unit.sources.journal.claim_racer",
                postgres_url,
                owner,
                str(ROUNDS),
                str(start_at),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for owner in ("process-a", "process-b")
    ]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    for index, pair in enumerate(zip(*results, strict=True)):
        assert sorted(pair) == ["BUSY", "NEW"], (index, pair)
