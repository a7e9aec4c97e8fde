"""One reader of the event log per replica, fanned out to this replica's subscribers.

Every replica reads the whole log from its own position (no consumer group: each
replica must see every event, since any of them may hold the viewer's subscription).
A subscriber gets each event at most once and in log order: the feed drops a second
copy of an event id, and a subscription never takes a position at or before the last
one it took. A subscriber that resumes (`after`) first gets what the log still holds
after its position, then the live events, without a gap or a repeat between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, defaultdict, deque

from sources.base import EventLog, EventPosition, LoggedEvent, Replay
from sources.errors import EventLogUnavailableError
from sources.events._connection import reraise_cancellation

logger = logging.getLogger("portalgraph.events")
RECENT_IDS = 10_000
REPLAY_PAGE = 500
REPLAYED_IDS = 1_000
# Seconds close() waits for the reader after cancelling it. A client library can lose the
# cancellation of a blocking read (1 of ~6 runs of tests/e2e/test_event_log.py hung here
# on Redis); the reader then ends at the log's close, which must not wait for it.
CLOSE_WAIT = 5.0


class Subscription:
    """One subscriber's bounded queue of events in log order; when full, the oldest go.

    `dropped` counts events lost to a slow subscriber since the caller last reset it;
    `missed` counts events the log had trimmed before a resume could replay them (None:
    unknown how many).

    Most subscriptions sit idle for hours: the queue and the replayed-ids set are made
    when first needed, and a waiting reader holds one future, not an `asyncio.Event`
    (two empty deques and an event were ~2.6 KiB of every idle subscription). One reader
    at a time, as every caller reads.
    """

    __slots__ = (
        "_feed",
        "_items",
        "_last",
        "_max",
        "_pending",
        "_replayed",
        "_waiter",
        "audience",
        "dropped",
        "missed",
    )

    def __init__(self, feed: EventFeed, audience: str, max_queue: int) -> None:
        self._feed = feed
        self.audience = audience
        self._items: deque[LoggedEvent] | None = None
        self._max = max_queue
        self._waiter: asyncio.Future[None] | None = None
        self._last: EventPosition | None = None
        self._pending: deque[LoggedEvent] | None = None  # live events while catching up
        self._replayed: set[str] | None = None  # ids of replayed events, in case the log has a copy
        self.dropped = 0
        self.missed: int | None = 0

    def offer(self, logged: LoggedEvent) -> None:
        if self._pending is not None:
            self._pending.append(logged)
            if len(self._pending) > self._max:
                self._pending.popleft()
                self.dropped += 1
            return
        if self._last is not None and logged.position <= self._last:
            return  # already delivered (the replay and the live feed overlap)
        if self._replayed is not None and logged.event.id in self._replayed:
            return  # a second copy of a replayed event, further down the log
        self._last = logged.position
        if self._items is None:
            self._items = deque()
        elif len(self._items) >= self._max:
            self._items.popleft()
            self.dropped += 1
            self._feed.dropped += 1
        self._items.append(logged)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> LoggedEvent:
        while not self._items:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        return self._items.popleft()

    def close(self) -> None:
        self._feed.remove(self)

    def _resume(self, after: EventPosition, replays: list[Replay]) -> None:
        self._last = after
        pending, self._pending = self._pending or deque(), None
        for replay in replays:
            for logged in replay.events:
                if logged.event.audience == self.audience:
                    self.offer(logged)
                    if self._replayed is None:
                        self._replayed = set()
                    if len(self._replayed) < REPLAYED_IDS:
                        self._replayed.add(logged.event.id)
        for logged in pending:
            self.offer(logged)


class EventFeed:
    """The replica's reader task and its local subscribers, by audience."""

    def __init__(
        self, log: EventLog, *, replay_limit: int = 10_000, recent_ids: int = RECENT_IDS
    ) -> None:
        self.log = log
        self.replay_limit = replay_limit
        self.position: EventPosition | None = None  # the last event this replica read
        self._subscriptions: dict[str, set[Subscription]] = defaultdict(set)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._recent_max = recent_ids
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Event()
        self.received = self.duplicates = self.dropped = 0

    async def start(self, *, wait: float = 2.0) -> None:
        """Start reading from the log's end; waits up to `wait` s for the log to answer."""
        self._task = asyncio.create_task(self._run(), name="portalgraph-event-feed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._started.wait(), wait)

    async def close(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        done, _ = await asyncio.wait({self._task}, timeout=CLOSE_WAIT)
        if not done:
            logger.error("event feed reader still running %.0f s after close; left", CLOSE_WAIT)
            self._task.add_done_callback(_outcome_read)
            return
        _outcome_read(self._task)

    @property
    def subscribers(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())

    async def subscribe(
        self, audience: str, *, after: EventPosition | None = None, max_queue: int = 100
    ) -> Subscription:
        """A subscription to the audience's events from now on, or from after `after`.

        Raises EventPositionError for a position the log cannot use, and
        EventLogUnavailableError when the log cannot replay right now.
        """
        subscription = Subscription(self, audience, max_queue)
        if after is not None:
            subscription._pending = deque()
        self._subscriptions[audience].add(subscription)
        if after is None:
            return subscription
        try:
            replays = await self._replay(after)
        except BaseException:
            subscription.close()
            raise
        subscription.missed = replays[0].missed
        if replays[-1].more:
            subscription.missed = None  # more to replay than we scan: some are skipped
        subscription._resume(after, replays)
        return subscription

    async def _replay(self, after: EventPosition) -> list[Replay]:
        replays = [await self.log.replay(after, limit=REPLAY_PAGE)]
        scanned = len(replays[0].events)
        while replays[-1].more and scanned < self.replay_limit:
            replays.append(
                await self.log.replay(replays[-1].events[-1].position, limit=REPLAY_PAGE)
            )
            scanned += len(replays[-1].events)
        return replays

    def remove(self, subscription: Subscription) -> None:
        subscriptions = self._subscriptions.get(subscription.audience)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self._subscriptions[subscription.audience]

    async def _run(self) -> None:
        delay = 0.05
        while True:
            try:
                start = self.position or await self.log.head()
                self._started.set()
                events = self.log.read(start)
                try:
                    async for logged in events:
                        self._deliver(logged)
                finally:
                    await events.aclose()  # its consumer/connection, also after a failure
                return  # the log was closed
            except EventLogUnavailableError as exc:
                reraise_cancellation(exc)
                logger.warning("event log unavailable (%s); retrying", exc)
            except Exception as exc:
                reraise_cancellation(exc)
                # A reader must not die for good on a bug in one event; resume after it.
                logger.exception("event feed failed; resuming from its last position")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _deliver(self, logged: LoggedEvent) -> None:
        self.position = logged.position
        event_id = logged.event.id
        if event_id in self._recent:
            self.duplicates += 1
            return
        self._recent[event_id] = None
        if len(self._recent) > self._recent_max:
            self._recent.popitem(last=False)
        self.received += 1
        for subscription in list(self._subscriptions.get(logged.event.audience, ())):
            subscription.offer(logged)


def _outcome_read(task: asyncio.Task[None]) -> None:
    """Reads a finished reader's outcome, so an error ending it is logged, not left."""
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("event feed reader ended with an error", exc_info=error)
