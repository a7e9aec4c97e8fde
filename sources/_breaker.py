"""A circuit breaker per upstream: stop calling a portal that keeps failing.

Closed: calls pass; `failures` consecutive failed calls open it. Open: calls fail at
once with `SourceUnavailableError`, no request is sent. After `reset_after` seconds the
next call is let through alone as a probe (half-open); its success closes the breaker,
its failure opens it for another `reset_after`.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sources.base import UpstreamRef
from sources.errors import SourceUnavailableError

logger = logging.getLogger("portalgraph.upstreams")


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """What a status page shows for one upstream."""

    upstream: UpstreamRef
    state: BreakerState
    consecutive_failures: int
    retry_in: float | None  # seconds until the next probe, while open

    def as_json(self) -> dict[str, object]:
        return {
            "portalId": self.upstream.portal_id,
            "capability": self.upstream.capability.value,
            "state": self.state.value,
            "consecutiveFailures": self.consecutive_failures,
            "retryIn": None if self.retry_in is None else round(self.retry_in, 3),
        }


class CircuitBreaker:
    def __init__(
        self,
        upstream: UpstreamRef,
        *,
        failures: int,
        reset_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.upstream = upstream
        self.threshold = failures
        self.reset_after = reset_after
        self.clock = clock
        self.state = BreakerState.CLOSED
        self.consecutive_failures = 0
        self._opened_at = 0.0
        self._probing = False

    def admit(self) -> bool:
        """Let a call through or raise; True when the call is the half-open probe."""
        if self.state is BreakerState.CLOSED:
            return False
        if self.state is BreakerState.OPEN and self.clock() - self._opened_at >= self.reset_after:
            self.state = BreakerState.HALF_OPEN
        if self.state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        raise SourceUnavailableError(
            f"{self.upstream}: circuit open, not calling the upstream", upstream=self.upstream
        )

    def succeeded(self, probe: bool) -> None:
        if probe:
            self._probing = False
        if self.state is not BreakerState.CLOSED:
            logger.warning("upstream %s is back: circuit closed", self.upstream)
        self.state = BreakerState.CLOSED
        self.consecutive_failures = 0

    def failed(self, probe: bool) -> None:
        if probe:
            self._probing = False
        self.consecutive_failures += 1
        if self.threshold <= 0:
            return
        if self.state is BreakerState.HALF_OPEN or (
            self.state is BreakerState.CLOSED and self.consecutive_failures >= self.threshold
        ):
            logger.warning(
                "upstream %s failed %d times in a row: circuit open for %.1f s",
                self.upstream,
                self.consecutive_failures,
                self.reset_after,
            )
            self.state = BreakerState.OPEN
            self._opened_at = self.clock()

    def abandoned(self, probe: bool) -> None:
        """The call ended without a verdict on the upstream (cancelled, refused locally)."""
        if probe:
            self._probing = False

    def snapshot(self) -> BreakerSnapshot:
        retry_in = None
        if self.state is BreakerState.OPEN:
            retry_in = max(0.0, self._opened_at + self.reset_after - self.clock())
        return BreakerSnapshot(self.upstream, self.state, self.consecutive_failures, retry_in)
