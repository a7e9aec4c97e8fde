"""The submissions a viewer made through this gateway: claim, move on, read back.

Every transition is a compare-and-set: `UPDATE … WHERE id = :entry AND lease_owner = :me
AND state = :expected`. When it matches nothing, the attempt is no longer the caller's
(another owner took an expired lease over, or the state moved on) and the caller gets a
JournalConflictError instead of overwriting someone else's progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import claims
from .database import Database
from .entries import S, key_of, load_entries, load_entry
from .errors import JournalConfigError, JournalConflictError
from .records import (
    IN_FLIGHT,
    Announcement,
    CallbackTarget,
    Claim,
    Draft,
    SubmissionEntry,
    SubmissionState,
    Ticket,
)
from .secretbox import SecretBox, row_context
from .tables import UtcDateTime, attachments, check_lengths, submissions
from .work import unit_of_work

A = attachments.c
PREPARED, ANNOUNCED, UPLOADED = (s.value for s in IN_FLIGHT)
_NO_LEASE = {"lease_owner": None, "lease_until": None}


class Submissions:
    def __init__(self, db: Database, secrets: SecretBox | None = None) -> None:
        self.db = db
        self.secrets = secrets

    @unit_of_work
    async def claim(
        self,
        subject_key: str,
        client_mutation_id: str,
        fingerprint: str,
        draft: Draft,
        *,
        owner: str,
        lease_seconds: float,
    ) -> Claim:
        """NEW, RESUME (with ticket), DONE, BUSY (with busy_until) or MISMATCH."""
        async with self.db.observe("submissions.claim"):
            return await claims.claim(
                self.db,
                subject_key,
                client_mutation_id,
                fingerprint,
                draft,
                owner=owner,
                lease_seconds=lease_seconds,
            )

    @unit_of_work
    async def announced(self, ticket: Ticket, announcement: Announcement) -> SubmissionEntry:
        """PREPARED → ANNOUNCED: the ids POST /v1/submissions answered, and the callback secret."""
        async with self.db.observe("submissions.announced"):
            values: dict[str, Any] = {
                "state": ANNOUNCED,
                "portal_id": announcement.portal_id,
                "destination_id": announcement.destination_id,
                "submission_id": announcement.submission_id,
                "case_id": announcement.case_id,
            }
            check_lengths(submissions, values)
            for attachment_id in announcement.attachment_ids:
                check_lengths(attachments, {"attachment_id": attachment_id})
            if announcement.callback_secret is not None:
                context = row_context(ticket.subject_key, ticket.client_mutation_id)
                values["secret_key_id"], values["callback_secret"] = self._box().seal(
                    announcement.callback_secret, context
                )
            async with self.db.write() as conn:
                await self._move(conn, ticket, (PREPARED,), values)
                ids = announcement.attachment_ids
                if ids:
                    await conn.execute(
                        update(attachments)
                        .where(A.entry_id == bindparam("b_entry"))
                        .where(A.position == bindparam("b_position"))
                        .values(attachment_id=bindparam("b_attachment")),
                        [
                            {"b_entry": ticket.entry_id, "b_position": n, "b_attachment": i}
                            for n, i in enumerate(ids)
                        ],
                    )
                entry = await self._entry(conn, ticket)
                if len(entry.attachments) != len(ids):  # raising rolls the transition back
                    raise ValueError(
                        f"{len(ids)} attachment ids for {len(entry.attachments)} attachments"
                    )
                return entry

    @unit_of_work
    async def uploaded(self, ticket: Ticket, attachment_id: str) -> SubmissionEntry:
        """Marks one attachment uploaded; the last one moves ANNOUNCED → UPLOADED."""
        now = bindparam("b_now", self.db.clock(), type_=UtcDateTime())
        async with self.db.observe("submissions.uploaded"), self.db.write() as conn:
            await self._move(conn, ticket, (ANNOUNCED, UPLOADED), {})
            marked = await conn.execute(
                update(attachments)
                .where((A.entry_id == ticket.entry_id) & (A.attachment_id == attachment_id))
                .values(uploaded_at=func.coalesce(A.uploaded_at, now))  # a repeat keeps the first
            )
            if marked.rowcount != 1:
                raise ValueError(f"attachment {attachment_id} was not announced for this entry")
            await conn.execute(
                update(submissions)
                .where((S.id == ticket.entry_id) & ~_pending_uploads())
                .values(state=UPLOADED)
            )
            return await self._entry(conn, ticket)

    @unit_of_work
    async def submitted(self, ticket: Ticket) -> SubmissionEntry:
        """ANNOUNCED/UPLOADED → SUBMITTED once every attachment is uploaded; frees the lease."""
        async with self.db.observe("submissions.submitted"), self.db.write() as conn:
            values: dict[str, Any] = {"state": SubmissionState.SUBMITTED.value, **_NO_LEASE}
            values |= {"failure_reason": None, "finished_at": self.db.clock()}
            await self._move(conn, ticket, (ANNOUNCED, UPLOADED), values, ~_pending_uploads())
            return await self._entry(conn, ticket)

    @unit_of_work
    async def failed(self, ticket: Ticket, reason: str, *, retryable: bool) -> SubmissionEntry:
        """Retryable: keeps the state reached, notes the reason, frees the lease for a retry.
        Not retryable: FAILED, which frees the key for a new attempt."""
        async with self.db.observe("submissions.failed"), self.db.write() as conn:
            values: dict[str, Any] = {"failure_reason": reason[:64], **_NO_LEASE}
            if not retryable:
                values |= {"state": SubmissionState.FAILED.value, "finished_at": self.db.clock()}
            await self._move(conn, ticket, (PREPARED, ANNOUNCED, UPLOADED), values)
            return await self._entry(conn, ticket)

    @unit_of_work
    async def renew(self, ticket: Ticket, lease_seconds: float) -> datetime:
        """Extends the caller's lease (long uploads); the new end of the lease."""
        until = self.db.clock() + timedelta(seconds=lease_seconds)
        async with self.db.observe("submissions.renew"), self.db.write() as conn:
            await self._move(conn, ticket, (PREPARED, ANNOUNCED, UPLOADED), {"lease_until": until})
        return until

    @unit_of_work
    async def get(self, subject_key: str, client_mutation_id: str) -> SubmissionEntry | None:
        async with self.db.observe("submissions.get"), self.db.read() as conn:
            found = await load_entries(conn, key_of(subject_key, client_mutation_id))
        return found[0] if found else None

    @unit_of_work
    async def for_subject(self, subject_key: str) -> list[SubmissionEntry]:
        """The citizen's list: every entry of the subject, newest first."""
        async with self.db.observe("submissions.for_subject"), self.db.read() as conn:
            return await load_entries(conn, S.subject_key == subject_key)

    @unit_of_work
    async def callback_target(self, submission_id: str) -> CallbackTarget | None:
        """The portal and case of `submission_id` with the decrypted secret sent with it
        (`callback {url, secret}`), or None: the hook checks all three (callbacks.py)."""
        query = select(
            S.subject_key,
            S.client_mutation_id,
            S.portal_id,
            S.case_id,
            S.secret_key_id,
            S.callback_secret,
        )
        query = query.where(S.submission_id == submission_id, S.callback_secret.is_not(None))
        async with self.db.observe("submissions.callback_target"):
            async with self.db.read() as conn:
                row = (await conn.execute(query)).first()
            if row is None or row.portal_id is None or row.case_id is None:
                return None
            context = row_context(row.subject_key, row.client_mutation_id)
            secret = self._box().open(row.secret_key_id, row.callback_secret, context)
            return CallbackTarget(row.portal_id, row.case_id, secret)

    @unit_of_work
    async def rotate_secrets(self) -> int:
        """Re-encrypts every secret under an older key with the current one; how many."""
        box = self._box()
        query = select(
            S.id, S.subject_key, S.client_mutation_id, S.secret_key_id, S.callback_secret
        )
        query = query.where(S.callback_secret.is_not(None), S.secret_key_id != box.current)
        async with self.db.observe("submissions.rotate_secrets"), self.db.write() as conn:
            rows = (await conn.execute(query)).all()
            for row in rows:
                context = row_context(row.subject_key, row.client_mutation_id)
                plain = box.open(row.secret_key_id, row.callback_secret, context)
                key_id, sealed = box.seal(plain, context)
                await conn.execute(
                    update(submissions)
                    .where(S.id == row.id)
                    .values(secret_key_id=key_id, callback_secret=sealed)
                )
        return len(rows)

    def _box(self) -> SecretBox:
        if self.secrets is None:
            raise JournalConfigError(
                "No journal encryption key configured: callback secrets cannot be stored."
            )
        return self.secrets

    async def _move(
        self,
        conn: AsyncConnection,
        ticket: Ticket,
        expected: Sequence[str],
        values: dict[str, Any],
        *also: ColumnElement[bool],
    ) -> None:
        guard = and_(
            S.id == ticket.entry_id, S.lease_owner == ticket.owner, S.state.in_(expected), *also
        )
        values = {**values, "version": S.version + 1, "updated_at": self.db.clock()}
        moved = await conn.execute(update(submissions).where(guard).values(**values))
        if moved.rowcount != 1:
            raise JournalConflictError(await _why(conn, ticket, expected))

    async def _entry(self, conn: AsyncConnection, ticket: Ticket) -> SubmissionEntry:
        entry = await load_entry(conn, ticket.entry_id)
        assert entry is not None  # the transition just matched it in this transaction
        return entry


def _pending_uploads() -> ColumnElement[bool]:
    return exists().where((A.entry_id == S.id) & A.uploaded_at.is_(None))


async def _why(conn: AsyncConnection, ticket: Ticket, expected: Sequence[str]) -> str:
    entry = await load_entry(conn, ticket.entry_id)
    if entry is None:
        return "The attempt no longer exists (deleted or purged)."
    if entry.lease_owner != ticket.owner:
        return "The attempt is no longer yours: its lease expired and another owner took it over."
    if entry.state not in expected:
        return f"The attempt is {entry.state.value}, not {' or '.join(expected)}."
    return "The attempt still has attachments that are not uploaded."
