"""Idempotency across processes: who may run the attempt for (subject, client mutation id).

One row per key (a unique constraint), created with INSERT … ON CONFLICT DO NOTHING; an
existing row changes hands only by compare-and-set on its `version`. Two claimers racing
on PostgreSQL (READ COMMITTED) or SQLite (BEGIN IMMEDIATE) therefore never both get NEW
or both RESUME: the loser's insert finds the winner's row, or its update matches nothing
and it looks again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, update

from .database import Database, first
from .entries import attachment_rows, key_of, load_entry, load_rows
from .errors import JournalConflictError
from .records import Claim, ClaimOutcome, Draft, SubmissionEntry, SubmissionState, Ticket
from .tables import attachments, check_lengths, submissions

S = submissions.c
MAX_ROUNDS = 20  # each round loses only to a committed change; 20 losses in a row is a bug


def verdict(entry: SubmissionEntry, fingerprint: str, owner: str, now: datetime) -> ClaimOutcome:
    """What a claim on an existing entry yields (NEW: a failed attempt's key is free again)."""
    if entry.state is SubmissionState.FAILED:
        return ClaimOutcome.NEW
    if entry.fingerprint != fingerprint:
        return ClaimOutcome.MISMATCH
    if entry.state is SubmissionState.SUBMITTED:
        return ClaimOutcome.DONE
    if entry.lease_owner == owner or entry.lease_until is None or entry.lease_until <= now:
        return ClaimOutcome.RESUME
    return ClaimOutcome.BUSY


async def claim(
    db: Database,
    subject_key: str,
    client_mutation_id: str,
    fingerprint: str,
    draft: Draft,
    *,
    owner: str,
    lease_seconds: float,
) -> Claim:
    for _ in range(MAX_ROUNDS):
        found = await _round(
            db, subject_key, client_mutation_id, fingerprint, draft, owner, lease_seconds
        )
        if found is not None:
            return found
    raise JournalConflictError("A claim did not settle after repeated concurrent changes.")


async def _round(
    db: Database,
    subject_key: str,
    client_mutation_id: str,
    fingerprint: str,
    draft: Draft,
    owner: str,
    lease_seconds: float,
) -> Claim | None:
    now = db.clock()
    until = now + timedelta(seconds=lease_seconds)
    fresh = _fresh(fingerprint, draft, owner, until, now)
    check_lengths(
        submissions, {"subject_key": subject_key, "client_mutation_id": client_mutation_id}
    )
    check_lengths(submissions, fresh)
    for row in attachment_rows(0, draft.attachments):
        check_lengths(attachments, row)
    async with db.write() as conn:
        statement = (
            db.insert(submissions)
            .values(subject_key=subject_key, client_mutation_id=client_mutation_id, **fresh)
            .on_conflict_do_nothing(index_elements=[S.subject_key, S.client_mutation_id])
            .returning(S.id)
        )
        inserted = await first(conn, statement)
        if inserted is not None:
            await _add_attachments(conn, inserted.id, draft)
            return await _owned(conn, ClaimOutcome.NEW, inserted.id, owner)
        found = await load_rows(conn, key_of(subject_key, client_mutation_id))
        if not found:
            return None  # deleted between our insert and our look: try again
        [(row, entry)] = found
        outcome = verdict(entry, fingerprint, owner, now)
        if outcome is ClaimOutcome.NEW:
            changes = {**fresh, "version": S.version + 1}
        elif outcome is ClaimOutcome.RESUME:
            changes = {
                "lease_owner": owner,
                "lease_until": until,
                "attempts": S.attempts + 1,
                "version": S.version + 1,
                "updated_at": now,
            }
        else:
            busy = entry.lease_until if outcome is ClaimOutcome.BUSY else None
            return Claim(outcome, entry, busy_until=busy)
        moved = await conn.execute(
            update(submissions)
            .where((S.id == row.id) & (S.version == row.version))
            .values(**changes)
        )
        if moved.rowcount != 1:
            return None  # someone else changed the row since we read it
        if outcome is ClaimOutcome.NEW:
            await conn.execute(delete(attachments).where(attachments.c.entry_id == row.id))
            await _add_attachments(conn, row.id, draft)
        return await _owned(conn, outcome, row.id, owner)


def _fresh(
    fingerprint: str, draft: Draft, owner: str, until: datetime, now: datetime
) -> dict[str, Any]:
    """The columns of a new attempt (also when it restarts a failed one in place)."""
    return {
        "fingerprint": fingerprint,
        "state": SubmissionState.PREPARED.value,
        "failure_reason": None,
        "service_key": draft.service_key,
        "service_name": draft.service_name,
        "region": draft.region,
        "portal_id": None,
        "destination_id": None,
        "submission_id": None,
        "case_id": None,
        "callback_secret": None,
        "secret_key_id": None,
        "lease_owner": owner,
        "lease_until": until,
        "attempts": 1,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "finished_at": None,
    }


async def _add_attachments(conn: Any, entry_id: int, draft: Draft) -> None:
    if draft.attachments:
        await conn.execute(insert(attachments), attachment_rows(entry_id, draft.attachments))


async def _owned(conn: Any, outcome: ClaimOutcome, entry_id: int, owner: str) -> Claim:
    entry = await load_entry(conn, entry_id)
    assert entry is not None
    ticket = Ticket(entry_id, owner, entry.subject_key, entry.client_mutation_id)
    return Claim(outcome, entry, ticket=ticket)
