"""Recent latency and error rate per upstream, for the status page.

Prometheus keeps the long history; people opening /status want "how is it right now"
without a dashboard. Each upstream keeps a ring of `buckets` time slots of
`bucket_seconds`; each slot counts calls and errors and keeps at most `samples`
durations, so memory stays bounded however busy the gateway is.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sources.base import UpstreamRef


@dataclass(slots=True)
class Slot:
    start: float
    calls: int = 0
    errors: int = 0
    durations: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SlotSummary:
    calls: int
    errors: int
    p95: float | None


@dataclass(frozen=True, slots=True)
class UpstreamSummary:
    portal_id: str
    capability: str
    calls: int
    errors: int
    p50: float | None  # seconds
    p95: float | None
    series: tuple[SlotSummary, ...]  # oldest first, one per slot of the window

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None


def percentile(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


class UpstreamWindow:
    def __init__(
        self,
        *,
        bucket_seconds: float = 10.0,
        buckets: int = 30,
        samples: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket_seconds = bucket_seconds
        self.buckets = buckets
        self.samples = samples
        self.clock = clock
        self._rings: dict[tuple[str, str], deque[Slot]] = {}

    @property
    def span_seconds(self) -> float:
        return self.bucket_seconds * self.buckets

    def _slot_start(self) -> float:
        return math.floor(self.clock() / self.bucket_seconds) * self.bucket_seconds

    def record(self, upstream: UpstreamRef, seconds: float, *, failed: bool) -> None:
        key = (upstream.portal_id, upstream.capability.value)
        ring = self._rings.get(key)
        if ring is None:
            ring = self._rings[key] = deque(maxlen=self.buckets)
        start = self._slot_start()
        if not ring or ring[-1].start != start:
            ring.append(Slot(start))
        slot = ring[-1]
        if len(slot.durations) < self.samples:
            slot.durations.append(seconds)
        else:  # keep a spread of the slot's calls, not only its first ones
            slot.durations[slot.calls % self.samples] = seconds
        slot.calls += 1
        slot.errors += failed

    def summary(self, portal_id: str, capability: str) -> UpstreamSummary:
        newest = self._slot_start()
        starts = [newest - self.bucket_seconds * n for n in range(self.buckets - 1, -1, -1)]
        slots = {s.start: s for s in self._rings.get((portal_id, capability), ())}
        window = [slots[s] for s in starts if s in slots]
        durations = sorted(d for slot in window for d in slot.durations)
        series = tuple(
            SlotSummary(slot.calls, slot.errors, percentile(sorted(slot.durations), 0.95))
            if (slot := slots.get(start))
            else SlotSummary(0, 0, None)
            for start in starts
        )
        return UpstreamSummary(
            portal_id,
            capability,
            calls=sum(s.calls for s in window),
            errors=sum(s.errors for s in window),
            p50=percentile(durations, 0.5),
            p95=percentile(durations, 0.95),
            series=series,
        )

    def upstreams(self) -> list[tuple[str, str]]:
        return sorted(self._rings)
