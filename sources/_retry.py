"""When to send an idempotent read again, and how long to wait before doing so.

Retries multiply load on an upstream that is already struggling, so they are capped
twice: per call (`UpstreamPolicy.retries`) and per upstream by a budget (retries at
most `ratio` of the calls in a sliding window, plus a small floor so a quiet upstream
can still be retried), as in Google SRE ch. 21.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable

from sources._http import worth_retrying
from sources.errors import SourceError, SourceRateLimitedError

BACKOFF_BASE = 0.05
BACKOFF_CAP = 1.0
# A retry that would leave less than this before the deadline cannot finish anyway.
MIN_ATTEMPT_TIME = 0.05


class RetryBudget:
    def __init__(
        self,
        ratio: float,
        *,
        window: float = 10.0,
        floor: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ratio = ratio
        self.window = window
        self.floor = floor
        self.clock = clock
        self._calls: deque[float] = deque()
        self._retries: deque[float] = deque()

    def called(self) -> None:
        self._calls.append(self.clock())

    def spend(self) -> bool:
        """Take one retry from the budget; False when it is used up."""
        now = self.clock()
        for times in (self._calls, self._retries):
            while times and times[0] <= now - self.window:
                times.popleft()
        if len(self._retries) >= self.floor + self.ratio * len(self._calls):
            return False
        self._retries.append(now)
        return True


def backoff(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt))."""
    return rng() * min(BACKOFF_CAP, BACKOFF_BASE * 2.0**attempt)


def retry_delay(
    error: SourceError,
    attempt: int,
    *,
    max_wait: float,
    remaining: float | None,
    rng: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None to give up now.

    A 429 is retried after its Retry-After (or a backoff without one); a Retry-After
    longer than `max_wait` or than the request has left means the answer is "no" for
    this request, so the error goes to the client at once instead of after a wait.
    """
    delay: float
    if isinstance(error, SourceRateLimitedError) and error.retry_after is not None:
        delay = error.retry_after
    elif isinstance(error, SourceRateLimitedError) or worth_retrying(error):
        delay = backoff(attempt, rng)
    else:
        return None
    if delay > max_wait:
        return None
    if remaining is not None and delay + MIN_ATTEMPT_TIME > remaining:
        return None
    return delay
