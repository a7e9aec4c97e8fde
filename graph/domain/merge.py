"""Most local wins: one service description per LeiKa key across federal, state and local portals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sources.base import PortalRecord, ServiceRecord, ars_prefix


def merge_most_local(
    records: Iterable[ServiceRecord], portals: Mapping[str, PortalRecord]
) -> list[ServiceRecord]:
    """One description per LeiKa key: the one from the most local portal wins; among equally
    local ones the smallest id, as on the pages of a search (graph.domain.merge_pages)."""
    chosen: dict[str, ServiceRecord] = {}
    for record in records:
        key = record.leika_keys[0] if record.leika_keys else f"{record.portal_id}/{record.id}"
        current = chosen.get(key)
        if current is None or _better(record, current, portals):
            chosen[key] = record
    return sorted(chosen.values(), key=lambda r: (r.name.casefold(), r.portal_id, r.id))


def outranks(locality: int, record_id: str, other_locality: int, other_id: str) -> bool:
    """The rule: the more local text wins (more significant ARS digits); among equally local
    ones the smaller id, so the verdict depends on no order of the texts."""
    return locality > other_locality or (locality == other_locality and record_id < other_id)


def _better(
    record: ServiceRecord, other: ServiceRecord, portals: Mapping[str, PortalRecord]
) -> bool:
    return outranks(_locality(record, portals), record.id, _locality(other, portals), other.id)


def _locality(record: ServiceRecord, portals: Mapping[str, PortalRecord]) -> int:
    return len(ars_prefix(portals[record.portal_id].ars))
