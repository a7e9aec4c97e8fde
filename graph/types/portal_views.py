"""Every Portal of the graph as its GraphQL view, made the first time it is asked for.

With Kommunalportal.NRW's 396 municipalities the network has ~400 portals; a query
that shows three of them builds three views. `portals(tier:)` walks them all (no
upstream call: the list is the network file plus the municipality names). A platform's
entry id (`kommunalportal-nrw`) resolves too, for records its adapters answer as the
platform's; it is not listed among the portals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graph.domain.adapters import Adapters
from graph.types.portal import Portal
from sources.base import PortalRecord


class PortalViews(Mapping[str, Portal]):
    def __init__(self, adapters: Adapters) -> None:
        self._adapters = adapters
        self._views: dict[str, Portal] = {}

    def __getitem__(self, portal_id: str) -> Portal:
        view = self._views.get(portal_id)
        if view is None:
            record = self._adapters.portals.get(portal_id) or self._entry(portal_id)
            if record is None:
                raise KeyError(portal_id)
            capabilities = self._adapters.capabilities(record)
            view = self._views[portal_id] = Portal.from_record(record, capabilities)
        return view

    def _entry(self, entry_id: str) -> PortalRecord | None:
        """A platform entry's own record: its account area or inbox answers as the platform
        (Kommunalportal.NRW) when it does not say which municipality a record is of."""
        adapters = self._adapters
        found = adapters.account_areas.get(entry_id) or adapters.postboxes.get(entry_id)
        return None if found is None else found.portal

    def __iter__(self) -> Iterator[str]:
        return (record.id for record in self._adapters.portals)

    def __len__(self) -> int:
        return len(self._adapters.portals)
