"""Case routes: which viewers follow a FIT-Connect case, so that a callback (which names
only the case) reaches them. Durable, unlike a cache: they live as long as the case's
entry (deleted with it, or by retention), not as long as a subscription.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select

from .database import Database
from .records import CaseRoute
from .tables import case_routes, check_lengths
from .work import unit_of_work

R = case_routes.c
MAX_DATA = 4096  # bytes of JSON: ids and labels to render an application, never content
# An unchanged route is rewritten at most this often: its `updated_at` only has to keep it
# from retention, which counts in days, and every write is an fsync'd transaction.
REFRESH = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class RouteUpdate:
    portal_id: str
    case_id: str
    subject_key: str
    audience: str
    data: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return self.portal_id, self.case_id, self.subject_key

    def check(self) -> None:
        if len(json.dumps(self.data, separators=(",", ":"))) > MAX_DATA:
            raise ValueError(f"a case route's data is limited to {MAX_DATA} bytes of JSON")
        check_lengths(case_routes, {**self.key_columns(), "audience": self.audience})

    def key_columns(self) -> dict[str, str]:
        return {
            "portal_id": self.portal_id,
            "case_id": self.case_id,
            "subject_key": self.subject_key,
        }


class CaseRoutes:
    def __init__(self, db: Database) -> None:
        self.db = db

    @unit_of_work
    async def upsert(
        self, portal_id: str, case_id: str, subject_key: str, audience: str, data: dict[str, Any]
    ) -> None:
        """Adds or refreshes the route of `case_id` to `subject_key`."""
        update = RouteUpdate(portal_id, case_id, subject_key, audience, data)
        update.check()
        await self._write([update])

    @unit_of_work
    async def upsert_all(self, updates: Sequence[RouteUpdate]) -> int:
        """Adds or refreshes many routes in one transaction; how many were written.

        A route whose audience and data are stored already, refreshed within REFRESH, is
        skipped: a replica's restart makes every viewer subscribe again, and SQLite has
        one writer, whose transactions each wait for an fsync.
        """
        for update in updates:
            update.check()
        if not updates:
            return 0
        subjects = R.subject_key.in_(sorted({u.subject_key for u in updates}))
        stored = {r.key: r for r in await self._select("routes.current", subjects)}
        fresh_since = self.db.clock() - REFRESH
        due: dict[tuple[str, str, str], RouteUpdate] = {}
        for update in updates:
            known = stored.get(update.key)
            if (
                known is not None
                and (known.audience, known.data) == (update.audience, update.data)
                and known.updated_at > fresh_since
            ):
                continue
            due[update.key] = update  # the last of two updates of one route wins
        if due:
            await self._write(list(due.values()))
        return len(due)

    async def _write(self, updates: list[RouteUpdate]) -> None:
        now = self.db.clock()
        rows = [
            {
                **u.key_columns(),
                "audience": u.audience,
                "data": u.data,
                "created_at": now,
                "updated_at": now,
            }
            for u in updates
        ]
        statement = self.db.insert(case_routes)
        statement = statement.on_conflict_do_update(
            index_elements=[R.portal_id, R.case_id, R.subject_key],
            set_={
                "audience": statement.excluded.audience,
                "data": statement.excluded.data,
                "updated_at": statement.excluded.updated_at,
            },
        )
        async with self.db.observe("routes.upsert"), self.db.write() as conn:
            await conn.execute(statement, rows)

    @unit_of_work
    async def lookup(self, portal_id: str, case_id: str) -> list[CaseRoute]:
        """Everyone who follows the case (usually one viewer)."""
        return await self._select(
            "routes.lookup", (R.portal_id == portal_id) & (R.case_id == case_id)
        )

    @unit_of_work
    async def for_subject(self, subject_key: str) -> list[CaseRoute]:
        return await self._select("routes.for_subject", R.subject_key == subject_key)

    @unit_of_work
    async def remove(self, portal_id: str, case_id: str, subject_key: str) -> bool:
        where = (R.portal_id == portal_id) & (R.case_id == case_id) & (R.subject_key == subject_key)
        async with self.db.observe("routes.remove"), self.db.write() as conn:
            removed = await conn.execute(delete(case_routes).where(where))
        return bool(removed.rowcount)

    async def _select(self, operation: str, where: ColumnElement[bool]) -> list[CaseRoute]:
        query = select(case_routes).where(where).order_by(R.portal_id, R.case_id, R.subject_key)
        async with self.db.observe(operation), self.db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            CaseRoute(
                portal_id=row.portal_id,
                case_id=row.case_id,
                subject_key=row.subject_key,
                audience=row.audience,
                data=dict(row.data),
                updated_at=row.updated_at,
            )
            for row in rows
        ]
