"""The citizen's delete (finished entries only) and retention by age."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sources.journal import Announcement, Journal, SubmissionState
from sources.journal.tables import attachments
from tests.unit.sources.journal.conftest import DRAFT, Clock

TENANT = {"provider_id": "epaybl", "originator_id": "o", "end_point_id": "e"}


async def submit(journal: Journal, subject: str, key: str, case_id: str, *, finish: bool) -> None:
    claim = await journal.submissions.claim(subject, key, "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.ticket is not None
    ids = (f"{key}-a1", f"{key}-a2")
    await journal.submissions.announced(
        claim.ticket, Announcement("fitconnect", "dest", f"sub-{key}", case_id, ids)
    )
    if finish:
        for attachment_id in ids:
            await journal.submissions.uploaded(claim.ticket, attachment_id)
        await journal.submissions.submitted(claim.ticket)
    await journal.routes.upsert("fitconnect", case_id, subject, f"aud-{subject}", {"c": case_id})
    await journal.positions.advance("fitconnect", case_id, 1, f"event-{case_id}")


async def fail(journal: Journal, subject: str, key: str) -> None:
    claim = await journal.submissions.claim(subject, key, "fp", DRAFT, owner="A", lease_seconds=30)
    assert claim.ticket is not None
    await journal.submissions.failed(claim.ticket, "NO_ROUTE", retryable=False)


async def attachment_rows(journal: Journal) -> int:
    async with journal.db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(attachments))).scalar_one())


async def test_the_citizen_deletes_finished_entries_and_what_hangs_on_them(
    journal: Journal,
) -> None:
    await submit(journal, "s", "done", "case-1", finish=True)
    await journal.payments.record("s", "case-1", "req-1", **TENANT)
    await journal.accounts.learn("s", "kommunalportal-nrw", 3600)
    await journal.accounts.learn("t", "kommunalportal-nrw", 3600)
    await fail(journal, "s", "failed")
    await submit(journal, "s", "flight", "case-3", finish=False)
    await submit(journal, "t", "other", "case-9", finish=True)
    assert await attachment_rows(journal) == 8

    assert await journal.delete_finished("s") == 2

    [left] = await journal.entries("s")
    assert (left.client_mutation_id, left.state) == ("flight", SubmissionState.ANNOUNCED)
    assert await journal.routes.lookup("fitconnect", "case-1") == []
    assert await journal.positions.position("fitconnect", "case-1") is None
    assert await journal.payments.get("req-1") is None
    assert await journal.accounts.valid("s") == []  # asked again only once learned again
    assert [link.subject_key for link in await journal.accounts.valid("t")] == ["t"]
    assert [r.case_id for r in await journal.routes.for_subject("s")] == ["case-3"]
    assert await journal.positions.position("fitconnect", "case-3") is not None
    assert [e.client_mutation_id for e in await journal.entries("t")] == ["other"]
    assert await journal.routes.lookup("fitconnect", "case-9") != []
    assert await attachment_rows(journal) == 4  # the deleted entries' digests went with them
    assert await journal.delete_finished("s") == 0


async def test_a_case_with_a_reply_in_flight_keeps_its_route(journal: Journal) -> None:
    await submit(journal, "s", "application", "case-1", finish=True)
    await submit(journal, "s", "reply", "case-1", finish=False)
    assert await journal.delete_finished("s") == 1
    assert [e.client_mutation_id for e in await journal.entries("s")] == ["reply"]
    assert await journal.routes.lookup("fitconnect", "case-1") != []
    assert await journal.positions.position("fitconnect", "case-1") is not None


async def test_retention_purges_what_is_older_than_the_limit(
    journal: Journal, clock: Clock
) -> None:
    await submit(journal, "s", "old-done", "case-1", finish=True)
    await fail(journal, "s", "old-failed")
    await submit(journal, "s", "abandoned", "case-2", finish=False)
    await journal.routes.upsert("portal-x", "area-case", "s", "aud", {"c": "area-case"})
    await journal.accounts.learn("s", "koeln", ttl_seconds=3600)
    clock.advance(timedelta(days=40).total_seconds())
    await submit(journal, "s", "new-done", "case-3", finish=True)
    await submit(journal, "t", "long-upload", "case-4", finish=False)
    await journal.accounts.learn("s", "bund", ttl_seconds=3600)

    assert await journal.purge(timedelta(days=30)) == 3

    assert [e.client_mutation_id for e in await journal.entries("s")] == ["new-done"]
    assert [e.client_mutation_id for e in await journal.entries("t")] == ["long-upload"]
    assert [r.case_id for r in await journal.routes.for_subject("s")] == ["case-3"]
    assert await journal.positions.position("fitconnect", "case-1") is None
    assert await journal.positions.position("fitconnect", "case-3") is not None
    assert [a.upstream_id for a in await journal.accounts.valid("s")] == ["bund"]
    assert await journal.accounts.forget("s", "koeln") == 0  # the expired link is gone
    assert await journal.purge(timedelta(days=30)) == 0


async def test_a_live_lease_protects_an_old_unfinished_entry(
    journal: Journal, clock: Clock
) -> None:
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="A", lease_seconds=60)
    assert claim.ticket is not None
    clock.advance(45)  # idle longer than the limit below, but its owner still works on it
    assert await journal.purge(timedelta(seconds=30)) == 0
    clock.advance(20)  # the lease has run out: abandoned
    assert await journal.purge(timedelta(seconds=30)) == 1
    assert await journal.entries("s") == []
