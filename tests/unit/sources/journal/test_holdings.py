"""A viewer's holdings in one read (issue 21): `Journal.holdings` answers what the three
separate reads answer, and a dashboard-shaped request (many fields asking for the
holdings at once and one after another) costs one unit of work and one read of three
SELECTs in one transaction (on SQLite one call on the reader's thread); the next request reads afresh and sees what was written meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Select

from graph.citizen.loaders import CitizenLoaders
from graph.domain.adapters import Adapters
from graph.domain.outages import OutageLog
from sources.journal import Journal
from tests.unit.sources.journal.conftest import DRAFT, Clock

TENANT = {"provider_id": "epaybl", "originator_id": "nrw-koeln", "end_point_id": "ep-1"}


class Counts:
    def __init__(self) -> None:
        self.units = self.reads = self.statements = 0

    @property
    def all(self) -> tuple[int, int, int]:
        return self.units, self.reads, self.statements


@contextmanager
def counting(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    """Counts the journal's units of work, its reads of one transaction each
    (`Database.select_many`) and the SELECT statements they send."""
    counts, db = Counts(), journal.db
    run, select_many = db.run, db.select_many

    async def counted_run(work: Coroutine[Any, Any, Any]) -> Any:
        counts.units += 1
        return await run(work)

    async def counted_reads(queries: Sequence[tuple[Select[Any], Any]]) -> list[list[Any]]:
        counts.reads += 1
        counts.statements += sum(isinstance(q, Select) for q, _ in queries)
        return await select_many(queries)

    monkeypatch.setattr(db, "run", counted_run)
    monkeypatch.setattr(db, "select_many", counted_reads)
    try:
        yield counts
    finally:
        monkeypatch.setattr(db, "select_many", select_many)
        monkeypatch.setattr(db, "run", run)


async def held_by(journal: Journal, subject_key: str) -> None:
    await journal.submissions.claim(subject_key, "m1", "fp", DRAFT, owner="A", lease_seconds=5)
    await journal.submissions.claim(subject_key, "m2", "fp", DRAFT, owner="A", lease_seconds=5)
    await journal.accounts.learn(subject_key, "koeln", ttl_seconds=60)
    await journal.accounts.learn(subject_key, "bund", ttl_seconds=600)
    await journal.payments.record(subject_key, "case-1", f"{subject_key}-req-1", **TENANT)
    await journal.payments.complete(
        f"{subject_key}-req-1", transaction_id="tx-1", transaction_url=None
    )


async def test_holdings_answer_what_the_three_reads_answer(journal: Journal, clock: Clock) -> None:
    await held_by(journal, "s")
    await held_by(journal, "t")
    clock.advance(61)  # koeln's link has expired
    held = await journal.holdings("s")
    assert held.entries == tuple(await journal.entries("s"))
    assert held.links == tuple(await journal.accounts.valid("s"))
    assert held.payments == tuple(await journal.payments.for_subject("s"))
    assert [e.client_mutation_id for e in held.entries] == ["m2", "m1"]
    assert [link.upstream_id for link in held.links] == ["bund"]
    assert [p.transaction_id for p in held.payments] == ["tx-1"]
    assert {e.subject_key for e in held.entries} == {"s"}
    empty = await journal.holdings("nobody")
    assert (empty.entries, empty.links, empty.payments) == ((), (), ())


async def test_a_dashboard_reads_the_holdings_once(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    await held_by(journal, "s")
    loaders = CitizenLoaders(OutageLog(), Adapters(), journal)
    with counting(journal, monkeypatch) as counts:
        # The dashboard's fields ask at once (one DataLoader batch), then one after another.
        found = await asyncio.gather(*(loaders.holdings("s") for _ in range(5)))
        found.append(await loaders.holdings("s"))
    assert counts.all == (1, 1, 3)  # one unit, one read, three SELECTs
    assert all(held is found[0] for held in found)
    assert sorted(found[0].linked) == ["bund", "koeln"]

    await journal.accounts.forget("s", "koeln")  # written between requests
    with counting(journal, monkeypatch) as counts:
        again = await CitizenLoaders(OutageLog(), Adapters(), journal).holdings("s")
    assert counts.all == (1, 1, 3)  # the next request reads afresh: nothing is cached
    assert sorted(again.linked) == ["bund"]


async def test_a_write_in_the_request_rereads_the_holdings_once(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaders = CitizenLoaders(OutageLog(), Adapters(), journal)
    assert (await loaders.holdings("s")).linked == frozenset()
    await journal.accounts.learn("s", "koeln", ttl_seconds=60)
    with counting(journal, monkeypatch) as counts:
        loaders.reread_holdings("s")
        found = await asyncio.gather(loaders.holdings("s"), loaders.holdings("s"))
    assert counts.all == (1, 1, 3)
    assert [h.linked for h in found] == [frozenset({"koeln"})] * 2
