"""What the durable logs share: reconnect backoff and the connection's state for status()."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable

from sources.base import EventLogStatus, EventRecord

logger = logging.getLogger("portalgraph.events")
PROBE_INTERVAL = 5.0


def decode(raw: bytes | str, position: str) -> EventRecord | None:
    """The stored event; None (and a warning) for an entry no gateway wrote, which readers skip.

    A reader that failed on such an entry would fail on it again after resuming, forever.
    """
    try:
        return EventRecord.from_json(raw)
    except (ValueError, KeyError, TypeError):
        logger.warning("skipped an unreadable event log entry at %s", position)
        return None


def reraise_cancellation(exc: BaseException) -> None:
    """Raise CancelledError if this task is being cancelled, whatever `exc` says.

    A client library may turn a cancelled blocking read into a connection error; a reader
    that treated that as an outage and retried would never stop (EventFeed.close() then
    waited for it forever).
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from exc


class Backoff:
    """Jittered exponential delays between reconnect attempts, cut short by close()."""

    def __init__(self, first: float = 0.05, cap: float = 0.5) -> None:
        # A short cap: every moment a replica's reader waits adds to its events' latency,
        # and a refused connect to the log costs next to nothing.
        self.first, self.cap = first, cap
        self.delay = first

    def reset(self) -> None:
        self.delay = self.first

    async def sleep(self, closed: asyncio.Event) -> None:
        pause = self.delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), pause)
        self.delay = min(self.delay * 2, self.cap)


class ConnectionState:
    """Connected or not, since when, how often it came back, and the log's counters."""

    def __init__(
        self, backend: str, *, on_connect: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self.backend = backend
        self._on_connect = on_connect
        self.connected = False
        self._ever_connected = False
        self._down_since: float | None = time.monotonic()
        self._lag = 0.0
        self.reconnects = self.appended = self.duplicates = self.append_failures = 0
        self.delivered = self.missed = 0
        self.durable: bool | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def succeeded(self) -> None:
        if self.connected:
            return
        self.connected = True
        self._down_since = None
        if self._ever_connected:
            self.reconnects += 1
            logger.info("event log (%s) reachable again", self.backend)
        self._ever_connected = True
        if self._on_connect is not None:
            self._spawn(self._quietly(self._on_connect))

    def failed(self, exc: BaseException) -> None:
        if self.connected:
            logger.warning("event log (%s) unreachable: %s", self.backend, type(exc).__name__)
        self.connected = False
        if self._down_since is None:
            self._down_since = time.monotonic()

    def caught_up(self) -> None:
        self._lag = 0.0

    def delivered_at(self, appended: float) -> None:
        """One event read; `appended` is its append time (epoch seconds, the server's clock)."""
        self.delivered += 1
        self._lag = max(time.time() - appended, 0.0)

    def probe(self, ping: Callable[[], Awaitable[None]]) -> None:
        """Ask the server now and every few seconds, so status() is right without traffic."""
        self._spawn(self._probe(ping))

    async def _probe(self, ping: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await ping()
            except Exception as exc:  # any failure to answer means "not connected"
                self.failed(exc)
            else:
                self.succeeded()
            await asyncio.sleep(PROBE_INTERVAL)

    async def _quietly(self, check: Callable[[], Awaitable[None]]) -> None:
        try:
            await check()
        except Exception as exc:  # durability stays unknown; the log still works
            logger.info("could not check the event log's durability: %s", type(exc).__name__)

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def snapshot(self) -> EventLogStatus:
        lag = self._lag
        if self._down_since is not None and self._ever_connected:
            lag = max(lag, time.monotonic() - self._down_since)
        return EventLogStatus(
            backend=self.backend,
            connected=self.connected,
            lag=lag,
            reconnects=self.reconnects,
            appended=self.appended,
            duplicates=self.duplicates,
            append_failures=self.append_failures,
            delivered=self.delivered,
            missed=self.missed,
            durable=self.durable,
        )
