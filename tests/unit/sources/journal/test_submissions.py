"""Transitions of an attempt, the citizen's list, and callback secrets encrypted at rest."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from sources.journal import (
    Announcement,
    CallbackTarget,
    Journal,
    JournalConfigError,
    JournalConflictError,
    JournalSecretError,
    SecretBox,
    SubmissionState,
    Ticket,
)
from sources.journal.tables import submissions
from tests.unit.sources.journal.conftest import DRAFT, KEY, Clock

SECRET = "callback-secret-of-at-least-32-characters-0123456789"
ANNOUNCEMENT = Announcement(
    "fitconnect", "dest-1", "sub-1", "case-1", ("att-1", "att-2"), callback_secret=SECRET
)


async def started(journal: Journal, key: str = "m", owner: str = "A") -> Ticket:
    claim = await journal.submissions.claim("s", key, "fp", DRAFT, owner=owner, lease_seconds=30)
    assert claim.ticket is not None
    return claim.ticket


async def test_the_happy_path_walks_the_state_machine(journal: Journal) -> None:
    ticket = await started(journal)
    announced = await journal.submissions.announced(ticket, ANNOUNCEMENT)
    assert announced.state is SubmissionState.ANNOUNCED
    assert (announced.destination_id, announced.submission_id) == ("dest-1", "sub-1")
    assert announced.attachment_ids == ("att-1", "att-2")
    first = await journal.submissions.uploaded(ticket, "att-1")
    assert (first.state, first.uploaded_ids) == (SubmissionState.ANNOUNCED, frozenset({"att-1"}))
    again = await journal.submissions.uploaded(ticket, "att-1")  # a repeat changes nothing
    assert again.uploaded_ids == {"att-1"}
    second = await journal.submissions.uploaded(ticket, "att-2")
    assert second.state is SubmissionState.UPLOADED
    done = await journal.submissions.submitted(ticket)
    assert done.state is SubmissionState.SUBMITTED
    assert done.finished_at is not None
    assert (done.lease_owner, done.lease_until) == (None, None)


async def test_submitting_before_every_upload_is_refused(journal: Journal) -> None:
    ticket = await started(journal)
    await journal.submissions.announced(ticket, ANNOUNCEMENT)
    await journal.submissions.uploaded(ticket, "att-1")
    with pytest.raises(JournalConflictError, match="not uploaded"):
        await journal.submissions.submitted(ticket)


async def test_transitions_out_of_order_are_refused(journal: Journal) -> None:
    ticket = await started(journal)
    with pytest.raises(JournalConflictError, match="PREPARED"):
        await journal.submissions.uploaded(ticket, "att-1")
    await journal.submissions.announced(ticket, ANNOUNCEMENT)
    with pytest.raises(JournalConflictError, match="ANNOUNCED"):
        await journal.submissions.announced(ticket, ANNOUNCEMENT)


async def test_an_owner_whose_lease_was_taken_over_cannot_move_the_attempt(
    journal: Journal, clock: Clock
) -> None:
    old = await started(journal, owner="A")
    clock.advance(31)
    new = await started(journal, owner="B")
    with pytest.raises(JournalConflictError, match="another owner"):
        await journal.submissions.announced(old, ANNOUNCEMENT)
    entry = await journal.submissions.announced(new, ANNOUNCEMENT)
    assert entry.lease_owner == "B"


async def test_a_renewed_lease_keeps_others_out(journal: Journal, clock: Clock) -> None:
    ticket = await started(journal, owner="A")
    clock.advance(25)
    await journal.submissions.renew(ticket, 30)
    clock.advance(25)
    claim = await journal.submissions.claim("s", "m", "fp", DRAFT, owner="B", lease_seconds=30)
    assert claim.busy_until == clock.now + timedelta(seconds=5)


async def test_wrong_attachment_ids_are_a_caller_error(journal: Journal) -> None:
    ticket = await started(journal)
    with pytest.raises(ValueError, match="1 attachment ids for 2"):
        await journal.submissions.announced(
            ticket, Announcement("fitconnect", "d", "s", "c", ("only-one",))
        )
    await journal.submissions.announced(ticket, ANNOUNCEMENT)
    with pytest.raises(ValueError, match="not announced"):
        await journal.submissions.uploaded(ticket, "att-9")


async def test_the_citizens_list_is_theirs_only_newest_first(
    journal: Journal, clock: Clock
) -> None:
    for key in ("first", "second"):
        await started(journal, key)
        clock.advance(1)
    await journal.submissions.claim("other", "x", "fp", DRAFT, owner="A", lease_seconds=30)
    listed = await journal.entries("s")
    assert [e.client_mutation_id for e in listed] == ["second", "first"]
    assert {e.subject_key for e in listed} == {"s"}
    assert await journal.submissions.get("s", "first") == listed[1]
    assert await journal.submissions.get("s", "missing") is None


async def test_the_callback_secret_is_stored_encrypted_and_read_back(
    journal: Journal,
) -> None:
    ticket = await started(journal)
    await journal.submissions.announced(ticket, ANNOUNCEMENT)
    async with journal.db.engine.connect() as conn:
        row = (
            await conn.execute(select(submissions.c.callback_secret, submissions.c.secret_key_id))
        ).one()
    stored = bytes(row.callback_secret)
    assert row.secret_key_id == "k1"
    for shown in (
        SECRET.encode(),
        base64.b64encode(SECRET.encode()),
        SECRET.encode().hex().encode(),
    ):
        assert shown not in stored
    assert SECRET[:8].encode() not in stored
    assert len(stored) == 1 + 12 + len(SECRET) + 16
    target = await journal.submissions.callback_target("sub-1")
    assert target == CallbackTarget("fitconnect", "case-1", SECRET)
    assert target.matches("fitconnect", "case-1")
    assert not target.matches("other-portal", "case-1")
    assert not target.matches("fitconnect", "case-2")
    assert SECRET not in repr(target)
    assert await journal.submissions.callback_target("unknown") is None


async def test_a_secret_copied_into_another_row_does_not_decrypt(journal: Journal) -> None:
    ticket = await started(journal, "one")
    await journal.submissions.announced(ticket, ANNOUNCEMENT)
    other = await started(journal, "two")
    await journal.submissions.announced(
        other, Announcement("fitconnect", "dest-1", "sub-2", "case-2", ("x", "y"))
    )
    async with journal.db.engine.begin() as conn:
        stolen = (
            await conn.execute(
                select(submissions.c.callback_secret).where(submissions.c.submission_id == "sub-1")
            )
        ).scalar_one()
        await conn.execute(
            submissions.update()
            .where(submissions.c.submission_id == "sub-2")
            .values(callback_secret=stolen, secret_key_id="k1")
        )
    with pytest.raises(JournalSecretError, match="wrong row or key"):
        await journal.submissions.callback_target("sub-2")


async def test_keys_rotate_without_losing_secrets(database_url: str, clock: Clock) -> None:
    old = KEY
    async with Journal.connect(database_url, secrets=old, clock=clock) as journal:
        ticket = await started(journal)
        await journal.submissions.announced(ticket, ANNOUNCEMENT)
    fresh = SecretBox.new_key()
    both = SecretBox.parse(f"k2:{fresh},k1:{'A' * 43}=")
    async with Journal.connect(database_url, secrets=both, clock=clock) as journal:
        assert await journal.submissions.rotate_secrets() == 1
        assert await journal.submissions.rotate_secrets() == 0
    new_only = SecretBox.parse(f"k2:{fresh}")
    async with Journal.connect(database_url, secrets=new_only, clock=clock) as journal:
        target = await journal.submissions.callback_target("sub-1")
        assert target is not None
        assert target.secret == SECRET
    async with Journal.connect(
        database_url, secrets=SecretBox.parse(f"k1:{'A' * 43}="), clock=clock
    ) as journal:
        with pytest.raises(JournalSecretError, match="'k2', which is no longer configured"):
            await journal.submissions.callback_target("sub-1")


async def test_a_secret_without_a_configured_key_is_refused(
    database_url: str, clock: Clock
) -> None:
    async with Journal.connect(database_url, clock=clock) as journal:
        ticket = await started(journal)
        with pytest.raises(JournalConfigError, match="No journal encryption key"):
            await journal.submissions.announced(ticket, ANNOUNCEMENT)
        entry = await journal.submissions.get("s", "m")
        assert entry is not None
        assert entry.state is SubmissionState.PREPARED
