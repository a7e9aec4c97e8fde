"""Reading submission rows and their attachments into `SubmissionEntry` records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .records import AttachmentDigest, AttachmentEntry, SubmissionEntry, SubmissionState
from .tables import attachments, submissions

S = submissions.c
A = attachments.c
# Attachment columns whose names the submissions table does not use.
ATTACHMENT_COLUMNS = (A.position, A.attachment_id, A.sha512, A.size, A.media_type, A.uploaded_at)


def key_of(subject_key: str, client_mutation_id: str) -> ColumnElement[bool]:
    return (S.subject_key == subject_key) & (S.client_mutation_id == client_mutation_id)


def rows_query(where: ColumnElement[bool]) -> Select[Any]:
    """Matching submission rows joined with their attachments, newest first."""
    return (
        select(submissions, *ATTACHMENT_COLUMNS)
        .select_from(submissions.outerjoin(attachments, A.entry_id == S.id))
        .where(where)
        .order_by(S.created_at.desc(), S.id.desc(), A.position)
    )


# A subject's entries (the holdings' first read), built once: `subject_key` is bound per call.
SUBJECT_ENTRIES = rows_query(S.subject_key == bindparam("subject_key"))


async def load_rows(
    conn: AsyncConnection, where: ColumnElement[bool]
) -> list[tuple[Any, SubmissionEntry]]:
    """Matching (row, entry) pairs, newest first, attachments in order: one statement."""
    return grouped((await conn.execute(rows_query(where))).all())


def grouped(joined: Iterable[Any]) -> list[tuple[Any, SubmissionEntry]]:
    """(row, entry) pairs from `rows_query`'s rows (any row with its columns as attributes)."""
    rows: dict[int, Any] = {}
    items: dict[int, list[AttachmentEntry]] = {}
    for row in joined:
        rows.setdefault(row.id, row)
        found = items.setdefault(row.id, [])
        if row.position is not None:
            found.append(
                AttachmentEntry(
                    position=row.position,
                    attachment_id=row.attachment_id,
                    sha512=row.sha512,
                    size=row.size,
                    media_type=row.media_type,
                    uploaded=row.uploaded_at is not None,
                )
            )
    return [(row, entry_of(row, items[entry_id])) for entry_id, row in rows.items()]


async def load_entries(conn: AsyncConnection, where: ColumnElement[bool]) -> list[SubmissionEntry]:
    return [entry for _, entry in await load_rows(conn, where)]


async def load_entry(conn: AsyncConnection, entry_id: int) -> SubmissionEntry | None:
    found = await load_entries(conn, S.id == entry_id)
    return found[0] if found else None


def entry_of(row: Any, items: list[AttachmentEntry]) -> SubmissionEntry:
    return SubmissionEntry(
        subject_key=row.subject_key,
        client_mutation_id=row.client_mutation_id,
        fingerprint=row.fingerprint,
        state=SubmissionState(row.state),
        failure_reason=row.failure_reason,
        service_key=row.service_key,
        service_name=row.service_name,
        region=row.region,
        portal_id=row.portal_id,
        destination_id=row.destination_id,
        submission_id=row.submission_id,
        case_id=row.case_id,
        attachments=tuple(items),
        lease_owner=row.lease_owner,
        lease_until=row.lease_until,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def attachment_rows(entry_id: int, digests: tuple[AttachmentDigest, ...]) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": entry_id,
            "position": position,
            "sha512": digest.sha512,
            "size": digest.size,
            "media_type": digest.media_type,
        }
        for position, digest in enumerate(digests)
    ]
