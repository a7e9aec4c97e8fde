"""The bulkhead: a cap on the calls in flight to one upstream (sources/_resilience.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sources._deadline import remaining_time
from sources.base import UpstreamRef
from sources.errors import BulkheadFullError


class Bulkhead:
    """At most `limit` calls in flight to one upstream, so a slow one cannot take every socket."""

    def __init__(self, limit: int, upstream: UpstreamRef, *, max_wait: float) -> None:
        self.limit = limit
        self.max_wait = max_wait
        self.upstream = upstream
        self._slots = asyncio.Semaphore(limit)
        self.in_flight = 0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if not self._slots.locked():
            # A free slot is taken at once (asyncio's acquire does not suspend then): no
            # timer to arm and cancel (asyncio.timeout's enter/exit, one of two per call,
            # were ~2 % of the dashboard's self time together under py-spy).
            await self._slots.acquire()
        else:
            await self._wait_for_slot()
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self._slots.release()

    async def _wait_for_slot(self) -> None:
        remaining = remaining_time()
        wait = self.max_wait if remaining is None else remaining
        try:
            async with asyncio.timeout(max(wait, 0.0)):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise BulkheadFullError(
                f"{self.upstream}: all {self.limit} slots busy", upstream=self.upstream
            ) from exc
