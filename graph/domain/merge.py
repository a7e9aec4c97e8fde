"""Most local wins: one service description per LeiKa key across federal, state and local portals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sources.base import PortalRecord, ServiceRecord, ars_prefix


def merge_most_local(
    records: Iterable[ServiceRecord], portals: Mapping[str, PortalRecord]
) -> list[ServiceRecord]:
    """One description per LeiKa key: the one from the most local portal wins."""
    chosen: dict[str, ServiceRecord] = {}
    for record in records:
        key = record.leika_keys[0] if record.leika_keys else f"{record.portal_id}/{record.id}"
        current = chosen.get(key)
        if current is None or _locality(record, portals) > _locality(current, portals):
            chosen[key] = record
    return sorted(chosen.values(), key=lambda r: (r.name.casefold(), r.portal_id, r.id))


def _locality(record: ServiceRecord, portals: Mapping[str, PortalRecord]) -> int:
    return len(ars_prefix(portals[record.portal_id].ars))
