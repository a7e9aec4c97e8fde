"""Case routes: which viewers follow a FIT-Connect case, so that a callback (which names
only the case) reaches them. Durable, unlike a cache: they live as long as the case's
entry (deleted with it, or by retention), not as long as a subscription.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, delete, select

from .database import Database
from .records import CaseRoute
from .tables import case_routes, check_lengths

R = case_routes.c
MAX_DATA = 4096  # bytes of JSON: ids and labels to render an application, never content


class CaseRoutes:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self, portal_id: str, case_id: str, subject_key: str, audience: str, data: dict[str, Any]
    ) -> None:
        """Adds or refreshes the route of `case_id` to `subject_key`."""
        if len(json.dumps(data, separators=(",", ":"))) > MAX_DATA:
            raise ValueError(f"a case route's data is limited to {MAX_DATA} bytes of JSON")
        now = self.db.clock()
        key = {"portal_id": portal_id, "case_id": case_id, "subject_key": subject_key}
        check_lengths(case_routes, {**key, "audience": audience})
        statement = self.db.insert(case_routes).values(
            **key, audience=audience, data=data, created_at=now, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[R.portal_id, R.case_id, R.subject_key],
            set_={"audience": audience, "data": data, "updated_at": now},
        )
        async with self.db.observe("routes.upsert"), self.db.write() as conn:
            await conn.execute(statement)

    async def lookup(self, portal_id: str, case_id: str) -> list[CaseRoute]:
        """Everyone who follows the case (usually one viewer)."""
        return await self._select(
            "routes.lookup", (R.portal_id == portal_id) & (R.case_id == case_id)
        )

    async def for_subject(self, subject_key: str) -> list[CaseRoute]:
        return await self._select("routes.for_subject", R.subject_key == subject_key)

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
