"""Small records for unit tests."""

from __future__ import annotations

from sources.base import ServiceRecord


def service_record(
    portal_id: str, service_id: str, name: str, leika_keys: tuple[str, ...] = ()
) -> ServiceRecord:
    """A service description with nothing but its ids, name and LeiKa keys."""
    # areas, 5 texts, fees, deadlines, time, legal basis, links, offices, approval, update
    return ServiceRecord(
        portal_id, service_id, name, leika_keys,
        (), None, None, None, None, None, (), None, None, (), (), (), None, None, None,
    )  # fmt: skip
