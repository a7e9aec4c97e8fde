"""How far live updates got: the last event seen per case, and the ids already published.

`advance` is a monotonic compare-and-set (an older or equal position never overwrites a
newer one), so replicas reading the same event log in different orders agree.
`mark_seen` answers True exactly once per event id across all replicas.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from .database import Database, first
from .records import EventPosition
from .tables import check_lengths, event_positions, seen_events
from .work import unit_of_work

E = event_positions.c
SEEN = seen_events.c


class EventPositions:
    def __init__(self, db: Database) -> None:
        self.db = db

    @unit_of_work
    async def advance(self, portal_id: str, case_id: str, position: int, event_id: str) -> bool:
        """Moves the case's position forward to `position`; False if it was already there."""
        check_lengths(
            event_positions, {"portal_id": portal_id, "case_id": case_id, "event_id": event_id}
        )
        now = self.db.clock()
        statement = self.db.insert(event_positions).values(
            portal_id=portal_id,
            case_id=case_id,
            position=position,
            event_id=event_id,
            updated_at=now,
        )
        upsert = statement.on_conflict_do_update(
            index_elements=[E.portal_id, E.case_id],
            set_={"position": position, "event_id": event_id, "updated_at": now},
            where=E.position < statement.excluded.position,
        )
        async with self.db.observe("positions.advance"), self.db.write() as conn:
            return await first(conn, upsert.returning(E.position)) is not None

    @unit_of_work
    async def position(self, portal_id: str, case_id: str) -> EventPosition | None:
        query = select(event_positions).where((E.portal_id == portal_id) & (E.case_id == case_id))
        async with self.db.observe("positions.position"), self.db.read() as conn:
            row = await first(conn, query)
        if row is None:
            return None
        return EventPosition(row.portal_id, row.case_id, row.position, row.event_id, row.updated_at)

    @unit_of_work
    async def mark_seen(self, event_id: str) -> bool:
        """True the first time any replica marks `event_id`, False ever after (until purged)."""
        check_lengths(seen_events, {"event_id": event_id})
        statement = (
            self.db.insert(seen_events)
            .values(event_id=event_id, seen_at=self.db.clock())
            .on_conflict_do_nothing(index_elements=[SEEN.event_id])
            .returning(SEEN.event_id)
        )
        async with self.db.observe("positions.mark_seen"), self.db.write() as conn:
            return await first(conn, statement) is not None

    @unit_of_work
    async def purge_seen(self, older_than: timedelta) -> int:
        """Forgets event ids seen before `older_than` ago; how many."""
        cutoff = self.db.clock() - older_than
        async with self.db.observe("positions.purge_seen"), self.db.write() as conn:
            removed = await conn.execute(delete(seen_events).where(SEEN.seen_at < cutoff))
        return int(removed.rowcount)
