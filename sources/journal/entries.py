"""Reading submission rows and their attachments into `SubmissionEntry` records."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .records import AttachmentDigest, AttachmentEntry, SubmissionEntry, SubmissionState
from .tables import attachments, submissions

S = submissions.c
A = attachments.c


def key_of(subject_key: str, client_mutation_id: str) -> ColumnElement[bool]:
    return (S.subject_key == subject_key) & (S.client_mutation_id == client_mutation_id)


async def load_entries(conn: AsyncConnection, where: ColumnElement[bool]) -> list[SubmissionEntry]:
    """Matching entries, newest first, each with its attachments in order."""
    rows = (
        await conn.execute(
            select(submissions).where(where).order_by(S.created_at.desc(), S.id.desc())
        )
    ).all()
    if not rows:
        return []
    found: dict[int, list[AttachmentEntry]] = defaultdict(list)
    ids = [row.id for row in rows]
    query = select(attachments).where(A.entry_id.in_(ids)).order_by(A.entry_id, A.position)
    for item in (await conn.execute(query)).all():
        found[item.entry_id].append(
            AttachmentEntry(
                position=item.position,
                attachment_id=item.attachment_id,
                sha512=item.sha512,
                size=item.size,
                media_type=item.media_type,
                uploaded=item.uploaded_at is not None,
            )
        )
    return [entry_of(row, found[row.id]) for row in rows]


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
