"""Learned account links: valid until they expire, refreshed when learned again."""

from __future__ import annotations

from datetime import timedelta

from sources.journal import Journal
from tests.unit.sources.journal.conftest import Clock


async def test_links_are_valid_until_they_expire(journal: Journal, clock: Clock) -> None:
    await journal.accounts.learn("s", "koeln", ttl_seconds=60)
    await journal.accounts.learn("s", "bund", ttl_seconds=600)
    await journal.accounts.learn("t", "dormagen", ttl_seconds=600)
    assert [a.upstream_id for a in await journal.accounts.valid("s")] == ["bund", "koeln"]
    clock.advance(61)
    assert [a.upstream_id for a in await journal.accounts.valid("s")] == ["bund"]


async def test_learning_again_extends_a_link(journal: Journal, clock: Clock) -> None:
    await journal.accounts.learn("s", "koeln", ttl_seconds=60)
    clock.advance(50)
    link = await journal.accounts.learn("s", "koeln", ttl_seconds=60)
    assert link.expires_at == clock.now + timedelta(seconds=60)
    clock.advance(50)
    [valid] = await journal.accounts.valid("s")
    assert valid.expires_at == link.expires_at


async def test_forgetting_one_link_or_all(journal: Journal) -> None:
    for upstream in ("a", "b", "c"):
        await journal.accounts.learn("s", upstream, ttl_seconds=60)
    await journal.accounts.learn("t", "a", ttl_seconds=60)
    assert await journal.accounts.forget("s", "a") == 1
    assert [a.upstream_id for a in await journal.accounts.valid("s")] == ["b", "c"]
    assert await journal.accounts.forget("s") == 2
    assert await journal.accounts.valid("s") == []
    assert [a.upstream_id for a in await journal.accounts.valid("t")] == ["a"]
