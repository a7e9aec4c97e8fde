"""The callback secrets a submission's FIT-Connect signs with: read back, re-encrypted.

Each submission announces `callback {url, secret}`; the journal keeps the secret sealed
under the current key of the key ring, bound to the row it belongs to (`row_context`), so
a sealed secret copied to another row does not open. The hook reads it back with the
portal and case the submission was created for (graph/http/callbacks.py checks all
three); `portalgraph journal rotate-keys` seals every secret under an older key again.
Both run inside a unit of work of `Submissions` (work.py).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from .database import Database
from .entries import S
from .records import CallbackTarget
from .secretbox import SecretBox, row_context
from .tables import submissions


async def target(
    db: Database, box: Callable[[], SecretBox], submission_id: str
) -> CallbackTarget | None:
    """Portal, case and secret of `submission_id`, or None. `box` is asked only when there
    is a secret to open: without a key ring, an unknown submission is still just unknown."""
    query = select(
        S.subject_key,
        S.client_mutation_id,
        S.portal_id,
        S.case_id,
        S.secret_key_id,
        S.callback_secret,
    )
    query = query.where(S.submission_id == submission_id, S.callback_secret.is_not(None))
    async with db.observe("submissions.callback_target"):
        async with db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.portal_id is None or row.case_id is None:
            return None
        context = row_context(row.subject_key, row.client_mutation_id)
        secret = box().open(row.secret_key_id, row.callback_secret, context)
        return CallbackTarget(row.portal_id, row.case_id, secret)


async def rotate(db: Database, box: SecretBox) -> int:
    """Seals every secret under an older key with the current one; how many."""
    query = select(S.id, S.subject_key, S.client_mutation_id, S.secret_key_id, S.callback_secret)
    query = query.where(S.callback_secret.is_not(None), S.secret_key_id != box.current)
    async with db.observe("submissions.rotate_secrets"), db.write() as conn:
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
