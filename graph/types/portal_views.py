"""Every Portal of the graph as its GraphQL view, made the first time it is asked for.

With Kommunalportal.NRW's 396 municipalities the network has ~400 portals; a query
that shows three of them builds three views. `portals(tier:)` walks them all (no
upstream call: the list is the network file plus the municipality names).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graph.domain.adapters import Adapters
from graph.types.portal import Portal


class PortalViews(Mapping[str, Portal]):
    def __init__(self, adapters: Adapters) -> None:
        self._adapters = adapters
        self._views: dict[str, Portal] = {}

    def __getitem__(self, portal_id: str) -> Portal:
        view = self._views.get(portal_id)
        if view is None:
            record = self._adapters.portals.get(portal_id)
            if record is None:
                raise KeyError(portal_id)
            capabilities = self._adapters.capabilities(record)
            view = self._views[portal_id] = Portal.from_record(record, capabilities)
        return view

    def __iter__(self) -> Iterator[str]:
        return (record.id for record in self._adapters.portals)

    def __len__(self) -> int:
        return len(self._adapters.portals)
