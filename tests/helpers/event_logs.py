"""The durable event logs against throwaway servers, one fixture for both backends."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sources.base import EventKind, EventLog, EventRecord, Retention
from sources.errors import EventLogUnavailableError
from sources.events.logs import JetStreamLog, RedisStreamLog
from tests.helpers.nats_server import ThrowawayNats, throwaway_nats
from tests.helpers.redis_server import ThrowawayRedis, throwaway_redis

BACKENDS = ["redis", "jetstream"]


def event(i: int, audience: str = "viewer-a", prefix: str = "e") -> EventRecord:
    return EventRecord(
        id=f"{prefix}{i}",
        kind=EventKind.APPLICATION_STATUS,
        audience=audience,
        portal_id="bund",
        data={"i": i, "sent": time.time()},
    )


async def until_answering(log: EventLog, timeout: float = 15.0) -> None:
    """Wait until the log answers (JetStream connects in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await log.head()
            return
        except EventLogUnavailableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


def open_log(
    name: str, url: str, namespace: str, retention: Retention | None = None, **options: Any
) -> EventLog:
    """A log of the backend `name` in its own namespace (Redis key, JetStream stream)."""
    if name.startswith("redis"):
        return RedisStreamLog(url, retention, key=namespace, **options)
    return JetStreamLog(url, retention, stream=namespace.upper(), **options)


@dataclass
class Backend:
    """One throwaway server and the logs a test opened on it (closed at the end)."""

    name: str
    server: ThrowawayRedis | ThrowawayNats
    namespace: str = field(default_factory=lambda: "t" + uuid.uuid4().hex[:10])
    opened: list[EventLog] = field(default_factory=list)

    async def log(self, retention: Retention | None = None, **options: Any) -> EventLog:
        """A started log; each call is another connection, like another replica."""
        log = open_log(self.name, self.server.url, self.namespace, retention, **options)
        await log.start()
        self.opened.append(log)
        await self.until_appendable(log)
        return log

    async def until_appendable(self, log: EventLog, timeout: float = 15.0) -> None:
        await until_answering(log, timeout)

    async def restart(self, *, crash: bool = True) -> None:
        if crash:
            self.server.kill()
        else:
            self.server.stop()
        await asyncio.to_thread(self.server.start)

    async def close(self) -> None:
        for log in self.opened:
            await log.close()


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Whether `predicate` holds within `timeout` s (polled: status() has no change signal)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


@contextmanager
def backend_server(name: str) -> Iterator[Backend]:
    with ExitStack() as stack:
        server: ThrowawayRedis | ThrowawayNats
        if name == "jetstream":
            server = stack.enter_context(throwaway_nats())
        else:  # "redis": as deploy/ runs it (AOF, fsync before each reply); "redis-everysec":
            # fsync once a second (loses acknowledged events on a crash while the disk lags);
            # "redis-volatile": no AOF, as deploy/ had it
            server = stack.enter_context(
                throwaway_redis(
                    persistent=name != "redis-volatile",
                    appendfsync="everysec" if name == "redis-everysec" else "always",
                )
            )
        yield Backend(name, server)
