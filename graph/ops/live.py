"""The live-update hub for the composition root: event log, feed, case routes, poll lock.

`running_live` (called by graph/app.py's lifespan, like graph/ops/journal.py's
`open_journal`) builds the hub from the settings and runs it for the lifespan: the event
log (`PORTALGRAPH_EVENT_LOG_URL`, else the Redis of `PORTALGRAPH_REDIS_URL`, else the
in-memory log), each replica's feed reading it, case routes in the journal's database and
the poll lock in Redis (or in this process). Nothing here makes start-up wait for Redis or
the log: both reconnect by themselves, and readiness reports them as degraded.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from graph.domain.adapters import Adapters
from graph.domain.live import LiveHub
from graph.domain.live_routes import JournalCaseRoutes
from graph.settings import Settings
from sources.base import CaseRoutes, Lock, Retention
from sources.events import InMemoryCaseRoutes, InMemoryLock
from sources.events.feed import EventFeed
from sources.events.logs import event_log_for
from sources.journal import Journal

FEED_START_WAIT = 2.0  # seconds start-up waits for the log's head; then it reads on its own


def event_log_url(settings: Settings) -> str | None:
    """The log's URL: its own setting, else the shared Redis, else None (in memory)."""
    return settings.live.event_log_url or settings.server.redis_url


@contextlib.asynccontextmanager
async def running_live(
    settings: Settings,
    adapters: Adapters,
    *,
    audience_key: bytes,
    journal: Journal | None,
    subject_key: Callable[[str], str] | None,
    lock: Lock | None = None,
) -> AsyncIterator[LiveHub]:
    """`lock`: the poll lock shared by the replicas (Redis); None: this process's own."""
    live = settings.live
    retention = Retention(max_age=live.event_log_max_age, max_events=live.event_log_max_events)
    log = event_log_for(
        event_log_url(settings), retention, append_timeout=live.event_log_append_timeout
    )
    async with contextlib.AsyncExitStack() as stack:
        await log.start()
        stack.push_async_callback(log.close)
        feed = EventFeed(log)
        routes: CaseRoutes = InMemoryCaseRoutes()
        if journal is not None:
            routes = JournalCaseRoutes(journal.routes)
        hub = LiveHub(
            feed,
            routes,
            lock or InMemoryLock(),
            adapters,
            audience_key=audience_key,
            subject_key=subject_key,
            poll_interval=live.poll_interval,
            max_queue=live.subscription_queue,
            max_per_viewer=live.subscriptions_per_viewer,
            retention=retention,
        )
        await feed.start(wait=FEED_START_WAIT)
        stack.push_async_callback(feed.close)
        await hub.start()
        stack.push_async_callback(hub.stop)
        yield hub
