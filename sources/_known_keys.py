"""LeiKa keys learnt per PVOG description id, so a keyless search hit read again costs no
second detail call (a services page reads a text, then looks up its key: the same hit
comes twice). A description's key names the service it describes and does not change [I];
the memory is bounded, the oldest entries go first."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from sources.base import ServiceHit, ServiceRecord

KNOWN_KEYS = 10_000
Keyed = TypeVar("Keyed", ServiceHit, ServiceRecord)


class KnownKeys:
    def __init__(self, limit: int = KNOWN_KEYS) -> None:
        self.limit = limit
        self.keys: dict[str, tuple[str, ...]] = {}

    def completed(self, record: Keyed) -> Keyed | None:
        """The keyless record with the keys learnt for its id; None when none were."""
        keys = self.keys.get(record.id)
        return replace(record, leika_keys=keys) if keys else None

    def learn(self, record: Keyed) -> Keyed:
        if record.leika_keys and record.id not in self.keys:
            if len(self.keys) >= self.limit:
                del self.keys[next(iter(self.keys))]
            self.keys[record.id] = record.leika_keys
        return record
