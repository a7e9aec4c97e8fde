"""The event log on a Redis stream: XADD through one script, XREAD BLOCK per replica.

Appends run one Lua script, atomic on the server: it answers a repeated event id with
the first position (a seen key per id, kept for the dedupe window), else adds the entry
with the ID "{server ms}-{n}" (n counts every event ever stored, so a reader can tell a
trimmed gap from a quiet moment), trims by length (MAXLEN ~) and by age (MINID).
Each replica reads with XREAD BLOCK from the last ID it delivered; no consumer group,
because every replica needs every event and groups would share them out instead.

What an append acknowledges survives a crash only with AOF fsynced before each reply
(`appendonly yes`, `appendfsync always`) and `maxmemory-policy noeviction`. With
`everysec` Redis may reply before it has even written the AOF (while an fsync lags), and a
crash then loses acknowledged events (measured: docs/live-updates-delivery.md).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncGenerator
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.exceptions import RedisError, ResponseError

from sources.base import EventLogStatus, EventPosition, EventRecord, LoggedEvent, Replay, Retention
from sources.errors import EventLogUnavailableError, EventPositionError
from sources.events._connection import Backoff, ConnectionState, decode, reraise_cancellation
from sources.events._redis_script import APPEND, FIELD, POSITION, entry_id_of, position_of

BACKEND = "redis"


class RedisStreamLog:
    def __init__(
        self,
        url: str,
        retention: Retention | None = None,
        *,
        key: str = "portalgraph:events",
        append_timeout: float = 1.0,
        block: float = 2.0,
        batch: int = 500,
        connections: int = 32,
    ) -> None:
        self.retention = retention or Retention()
        tag = "{" + key + "}"  # one hash slot for the stream and its keys (Redis Cluster)
        self._stream, self._counter, self._seen = tag, f"{tag}:n", f"{tag}:seen:"
        self._append_timeout = append_timeout
        self._block, self._batch = block, batch
        # A bounded pool: a burst of callbacks queues for a connection (within the append
        # timeout) instead of opening hundreds. One retry on a fresh connection: a pooled one
        # may be stale after a Redis restart.
        self._writer = redis.Redis.from_pool(  # owns the pool: aclose() closes it
            redis.BlockingConnectionPool.from_url(
                url,
                max_connections=connections,
                timeout=append_timeout,
                socket_connect_timeout=append_timeout,
                socket_timeout=append_timeout,
                retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.05), 1),
                health_check_interval=15,
            )
        )
        # The reader retries by itself (with resumption), so redis-py must not.
        self._reader = redis.Redis.from_url(
            url,
            socket_connect_timeout=append_timeout,
            socket_timeout=block + 3.0,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self._writer.register_script(APPEND)
        self.state = ConnectionState(BACKEND, on_connect=self._check_durability)
        self._closed = asyncio.Event()

    async def start(self) -> None:
        self.state.probe(self._ping)

    async def _ping(self) -> None:
        await self._writer.ping()

    async def close(self) -> None:
        self._closed.set()
        await self.state.close()
        await self._writer.aclose()
        await self._reader.aclose()

    async def _check_durability(self) -> None:
        persistence = await self._writer.info("persistence")
        memory = await self._writer.info("memory")
        durable = bool(persistence.get("aof_enabled")) and (
            memory.get("maxmemory_policy") == "noeviction"
        )
        try:
            # Typed as str keys; without decode_responses they arrive as bytes.
            found: Any = await self._writer.config_get("appendfsync")
            fsync = found.get(b"appendfsync", found.get("appendfsync"))
        except ResponseError:  # CONFIG is renamed away on some managed Redis: unknown
            fsync = None
        self.state.durable = durable and fsync in (None, b"always", "always")

    def position(self, text: str) -> EventPosition:
        if not POSITION.match(text):
            raise EventPositionError("not a position of this event log", backend=BACKEND)
        return EventPosition(text)

    async def append(self, event: EventRecord) -> EventPosition:
        digest = hashlib.sha256(event.id.encode()).hexdigest()[:32]
        keys = [self._stream, self._counter, self._seen + digest]
        args: list[Any] = [
            event.to_json(),
            self.retention.max_events,
            int(self.retention.max_age * 1000),
            max(int(self.retention.dedupe_window * 1000), 1),
        ]
        try:
            async with asyncio.timeout(self._append_timeout):
                entry_id, duplicate = await self._script(keys=keys, args=args)
        except ResponseError as exc:
            # Redis answered but refused, e.g. "OOM command not allowed" with noeviction:
            # reachable, yet nothing stored. Trimming frees memory; the sender retries.
            self.state.append_failures += 1
            raise EventLogUnavailableError(f"event not stored: {exc!r}", backend=BACKEND) from exc
        except (RedisError, OSError, TimeoutError) as exc:
            self.state.failed(exc)
            self.state.append_failures += 1
            raise EventLogUnavailableError(f"event not stored: {exc!r}", backend=BACKEND) from exc
        self.state.succeeded()
        if duplicate:
            self.state.duplicates += 1
        else:
            self.state.appended += 1
        return position_of(entry_id)

    async def head(self) -> EventPosition:
        try:
            async with asyncio.timeout(self._append_timeout):
                if not await self._writer.exists(self._stream):
                    return position_of("0-0")
                info = await self._writer.xinfo_stream(self._stream)
        except (RedisError, OSError, TimeoutError) as exc:
            self.state.failed(exc)
            raise EventLogUnavailableError(f"log not readable: {exc!r}", backend=BACKEND) from exc
        self.state.succeeded()
        return position_of(info["last-generated-id"])

    async def read(self, after: EventPosition | None = None) -> AsyncGenerator[LoggedEvent, None]:
        backoff = Backoff()
        while after is None and not self._closed.is_set():
            try:
                after = await self.head()
            except EventLogUnavailableError:
                await backoff.sleep(self._closed)
        last_id, _, last_n = entry_id_of(after) if after else ("0-0", 0, 0)
        while not self._closed.is_set():
            try:
                # RESP2: [[stream, [(id, {field: value}), ...]]]; redis-py types it loosely.
                reply: Any = await self._reader.xread(
                    {self._stream: last_id}, count=self._batch, block=int(self._block * 1000)
                )
            except (RedisError, OSError) as exc:
                reraise_cancellation(exc)
                self.state.failed(exc)
                await backoff.sleep(self._closed)
                continue
            self.state.succeeded()
            backoff.reset()
            if not reply:
                self.state.caught_up()
                continue
            for raw_id, fields in reply[0][1]:
                position = position_of(raw_id)
                last_id, ms, n = entry_id_of(position)
                if n > last_n + 1:
                    self.state.missed += n - last_n - 1  # trimmed before this replica read it
                last_n = n
                self.state.delivered_at(ms / 1000)
                if (stored := decode(fields.get(FIELD, b""), position)) is not None:
                    yield LoggedEvent(position, stored)

    async def replay(self, after: EventPosition, *, limit: int) -> Replay:
        start, after_ms, after_n = entry_id_of(self.position(after))
        try:
            async with asyncio.timeout(self._append_timeout):
                # In this order, not in MULTI (which a full Redis refuses even for reads):
                # a counter read before an empty XRANGE proves the events were trimmed.
                async with self._writer.pipeline(transaction=False) as pipe:
                    pipe.time()
                    pipe.get(self._counter)
                    pipe.xrange(self._stream, min=f"({start}", count=limit + 1)
                    (seconds, micros), counter, entries = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            self.state.failed(exc)
            raise EventLogUnavailableError(f"log not readable: {exc!r}", backend=BACKEND) from exc
        self.state.succeeded()
        if after_ms > seconds * 1000 + micros // 1000 + 1000:
            raise EventPositionError("position is ahead of the event log", backend=BACKEND)
        decoded = ((position_of(i), f.get(FIELD, b"")) for i, f in entries[:limit])
        events = tuple(
            LoggedEvent(p, stored) for p, raw in decoded if (stored := decode(raw, p)) is not None
        )
        issued = int(counter or 0)
        if events:
            first_n = entry_id_of(events[0].position)[2]
            missed: int | None = first_n - after_n - 1 if first_n > after_n else None
        else:
            # Everything after the position was trimmed, or the log lost its data (None).
            missed = issued - after_n if issued >= after_n else None
        return Replay(events, missed, len(entries) > limit)

    def status(self) -> EventLogStatus:
        return self.state.snapshot()
