"""Learned account links: the portal account areas (upstream ids) where a viewer was found
to have an account. A query about the viewer asks only these, until the link expires,
instead of fanning out over every portal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import Database
from .records import AccountLink
from .tables import account_links, check_lengths
from .work import unit_of_work

L = account_links.c


class AccountLinks:
    def __init__(self, db: Database) -> None:
        self.db = db

    @unit_of_work
    async def learn(self, subject_key: str, upstream_id: str, ttl_seconds: float) -> AccountLink:
        """Records (or refreshes) that the viewer has an account at `upstream_id`."""
        check_lengths(account_links, {"subject_key": subject_key, "upstream_id": upstream_id})
        now = self.db.clock()
        expires = now + timedelta(seconds=ttl_seconds)
        statement = self.db.insert(account_links).values(
            subject_key=subject_key, upstream_id=upstream_id, learned_at=now, expires_at=expires
        )
        statement = statement.on_conflict_do_update(
            index_elements=[L.subject_key, L.upstream_id],
            set_={"learned_at": now, "expires_at": expires},
        )
        async with self.db.observe("accounts.learn"), self.db.write() as conn:
            await conn.execute(statement)
        return AccountLink(subject_key, upstream_id, now, expires)

    @unit_of_work
    async def valid(self, subject_key: str) -> list[AccountLink]:
        """The viewer's links that have not expired, by upstream id."""
        async with self.db.observe("accounts.valid"), self.db.read() as conn:
            return await valid_links(conn, subject_key, self.db.clock())

    @unit_of_work
    async def forget(self, subject_key: str, upstream_id: str | None = None) -> int:
        """Drops one link, or all of the viewer's links; how many were dropped."""
        where = L.subject_key == subject_key
        if upstream_id is not None:
            where = where & (L.upstream_id == upstream_id)
        async with self.db.observe("accounts.forget"), self.db.write() as conn:
            removed = await conn.execute(delete(account_links).where(where))
        return int(removed.rowcount)


# A subject's links that have not expired, by upstream id: built once (a statement built
# per call also left a reference cycle per dashboard: `&` memoizes a comparator on its
# left expression that points back at it, issue 21).
VALID_LINKS = (
    select(account_links)
    .where(L.subject_key == bindparam("subject_key"), L.expires_at > bindparam("now"))
    .order_by(L.upstream_id)
)


async def valid_links(conn: AsyncConnection, subject_key: str, now: datetime) -> list[AccountLink]:
    """The subject's links that have not expired at `now`, by upstream id (one SELECT)."""
    rows = (await conn.execute(VALID_LINKS, {"subject_key": subject_key, "now": now})).all()
    return links_of(rows)


def links_of(rows: Iterable[Any]) -> list[AccountLink]:
    return [AccountLink(r.subject_key, r.upstream_id, r.learned_at, r.expires_at) for r in rows]
