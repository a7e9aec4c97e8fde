"""Case routes kept in the journal's database: which viewers follow a FIT-Connect case.

A callback names only the case; its route says whose event it is. The routes used to live
in Redis, where a restart or `allkeys-lru` eviction lost them and a stale connection failed
the first subscription after a restart (issue 19 #2, #4, #5). In the journal they are
durable: a route is keyed by the viewer's pseudonymous subject key, refreshed by each
subscription and removed with the journal's entries (retention, GDPR forget), not when a
subscription ends, so an event that arrives while the viewer is offline is still logged
for their resume.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import Capability, CaseRouteRecord, UpstreamRef
from sources.errors import SourceUnavailableError
from sources.journal import JournalError
from sources.journal.routes import CaseRoutes as JournalRoutes, RouteUpdate

JOURNAL = UpstreamRef("journal", Capability.STATUS)


class JournalCaseRoutes:
    """The CaseRoutes contract over the journal's `case_routes` table."""

    def __init__(self, routes: JournalRoutes) -> None:
        self._routes = routes

    async def register_all(self, routes: Sequence[CaseRouteRecord]) -> int:
        """One transaction for all of them; unchanged, recently refreshed routes are skipped."""
        updates = [
            RouteUpdate(r.portal_id, r.case_id, r.key, r.route["audience"], r.route) for r in routes
        ]
        try:
            return await self._routes.upsert_all(updates)
        except JournalError as exc:
            raise SourceUnavailableError("case routes unavailable", upstream=JOURNAL) from exc

    async def lookup(self, portal_id: str, case_id: str) -> list[dict[str, Any]]:
        try:
            found = await self._routes.lookup(portal_id, case_id)
        except JournalError as exc:
            raise SourceUnavailableError("case routes unavailable", upstream=JOURNAL) from exc
        return [{**route.data, "audience": route.audience} for route in found]
