"""Forgetting: the citizen's own delete (GDPR Art. 17) and retention by age.

Only finished entries go (SUBMITTED, or FAILED, which is never retried), with all of the
citizen's learned account links; an attempt in flight stays, or a retry would POST a second submission. With an entry go the case routes,
event positions and payment links of its case, unless a remaining entry shares the case
(a reply still in flight). Attachment digests go with their entry (ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, Delete, and_, delete, exists, or_, select

from .database import Database
from .records import FINISHED, IN_FLIGHT
from .tables import account_links, case_routes, event_positions, payment_links, submissions

S = submissions.c
BATCH = 500  # entries per transaction: a long purge never holds locks for long
_FINISHED = [s.value for s in FINISHED]
_IN_FLIGHT = [s.value for s in IN_FLIGHT]


async def delete_finished(db: Database, subject_key: str) -> int:
    """Deletes the subject's finished entries and what hangs on them, and all of their
    account links (learned again when an account area answers); how many entries."""
    where = (S.subject_key == subject_key) & S.state.in_(_FINISHED)
    async with db.observe("journal.delete_finished"):
        count = await _delete_batches(db, where, subject_key=subject_key)
        async with db.write() as conn:
            await conn.execute(
                delete(account_links).where(account_links.c.subject_key == subject_key)
            )
    return count


async def purge(db: Database, older_than: timedelta) -> int:
    """Retention: entries finished (or abandoned unfinished) before `older_than` ago, their
    dependants, and routes, positions and payment links untouched since then; expired
    account links. How many entries were deleted."""
    now = db.clock()
    cutoff = now - older_than
    abandoned = and_(
        S.state.in_(_IN_FLIGHT),
        S.updated_at < cutoff,
        or_(S.lease_until.is_(None), S.lease_until < now),
    )
    async with db.observe("journal.purge"):
        count = await _delete_batches(db, or_(S.finished_at < cutoff, abandoned))
        async with db.write() as conn:
            for table, column in _DEPENDANTS:
                await conn.execute(
                    delete(table).where((table.c.updated_at < cutoff) & ~_referenced(column))
                )
            await conn.execute(delete(account_links).where(account_links.c.expires_at < now))
    return count


_DEPENDANTS = (
    (case_routes, case_routes.c.case_id),
    (event_positions, event_positions.c.case_id),
    (payment_links, payment_links.c.application_id),
)


def _referenced(case_column: ColumnElement[str]) -> ColumnElement[bool]:
    """A remaining entry still has this case."""
    return exists().where(S.case_id == case_column)


async def _delete_batches(
    db: Database, where: ColumnElement[bool], *, subject_key: str | None = None
) -> int:
    total = 0
    while True:
        async with db.write() as conn:
            rows = (await conn.execute(select(S.id, S.case_id).where(where).limit(BATCH))).all()
            if not rows:
                return total
            await conn.execute(delete(submissions).where(S.id.in_([r.id for r in rows])))
            cases = sorted({r.case_id for r in rows if r.case_id})
            for statement in _orphans(cases, subject_key):
                await conn.execute(statement)
        total += len(rows)
        if len(rows) < BATCH:
            return total


def _orphans(cases: Sequence[str], subject_key: str | None) -> list[Delete]:
    """Deletes of the routes, positions and payment links of `cases` no entry still has."""
    if not cases:
        return []
    statements: list[Delete] = []
    for table, column in _DEPENDANTS:
        condition = column.in_(cases) & ~_referenced(column)
        if subject_key is not None and "subject_key" in table.c:
            condition = condition & (table.c.subject_key == subject_key)
        statements.append(delete(table).where(condition))
    return statements
