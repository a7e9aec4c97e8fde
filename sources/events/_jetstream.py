"""The event log on a NATS JetStream stream: publish with a message id, ordered consumers.

One stream (file storage, limits retention: max_age, max_msgs, duplicate_window) holds
every event; the position is the stream sequence. JetStream itself answers a repeated
`Nats-Msg-Id` within the duplicate window with the first sequence. Each replica reads
with an ordered consumer (ephemeral, in memory, no acks) from the sequence after the
last one it delivered, and recreates it after a reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import AsyncGenerator

import nats.errors
from nats.js import JetStreamContext, api

from sources.base import EventLogStatus, EventPosition, EventRecord, LoggedEvent, Replay, Retention
from sources.errors import EventLogUnavailableError, EventPositionError
from sources.events._connection import Backoff, ConnectionState, decode
from sources.events._nats import FAILURES, JetStreamConnection

BACKEND = "jetstream"
POSITION = re.compile(r"^\d{20}$")


def _position(sequence: int) -> EventPosition:
    return EventPosition(f"{sequence:020d}")


class JetStreamLog:
    def __init__(
        self,
        url: str,
        retention: Retention | None = None,
        *,
        stream: str = "PORTALGRAPH_EVENTS",
        append_timeout: float = 1.0,
        block: float = 0.25,
        heartbeat: float = 1.0,
    ) -> None:
        self.retention = retention or Retention()
        self._stream, self._subject = stream, stream.lower().replace("_", ".")
        self._timeout, self._block, self._heartbeat = append_timeout, block, heartbeat
        self.state = ConnectionState(BACKEND)
        self._nats = JetStreamConnection(
            url, self._stream, self._subject, self.retention, append_timeout, self.state
        )
        self._closed = self._nats.closed

    async def start(self) -> None:
        await self._nats.start()

    async def close(self) -> None:
        await self._nats.close()

    def _context(self) -> JetStreamContext:
        return self._nats.context()

    def position(self, text: str) -> EventPosition:
        if not POSITION.match(text):
            raise EventPositionError("not a position of this event log", backend=BACKEND)
        return EventPosition(text)

    async def append(self, event: EventRecord) -> EventPosition:
        try:
            js = self._context()  # fail fast while disconnected: no buffering in the client
            ack = await js.publish(
                self._subject,
                event.to_json().encode(),
                timeout=self._timeout,
                headers={"Nats-Msg-Id": hashlib.sha256(event.id.encode()).hexdigest()[:32]},
            )
        except (*FAILURES, EventLogUnavailableError) as exc:
            self.state.append_failures += 1
            if isinstance(exc, EventLogUnavailableError):
                raise
            self.state.failed(exc)
            raise EventLogUnavailableError(f"event not stored: {exc!r}", backend=BACKEND) from exc
        self.state.succeeded()
        if ack.duplicate:
            self.state.duplicates += 1
        else:
            self.state.appended += 1
        return _position(ack.seq)

    async def _limits(self) -> tuple[int, int]:
        """The stream's first and last sequence."""
        try:
            info = await self._context().stream_info(self._stream)
        except FAILURES as exc:
            self.state.failed(exc)
            raise EventLogUnavailableError(f"log not readable: {exc!r}", backend=BACKEND) from exc
        return info.state.first_seq, info.state.last_seq

    async def head(self) -> EventPosition:
        return _position((await self._limits())[1])

    async def _consumer(self, start: int) -> JetStreamContext.PushSubscription:
        config = api.ConsumerConfig(
            deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=max(start, 1)
        )
        return await self._context().subscribe(
            self._subject, ordered_consumer=True, idle_heartbeat=self._heartbeat, config=config
        )

    async def _unsubscribe(self, subscription: JetStreamContext.PushSubscription) -> None:
        """Best effort and bounded: it also runs while the reader is being cancelled."""
        with contextlib.suppress(*FAILURES):
            async with asyncio.timeout(self._timeout):
                await subscription.unsubscribe()

    async def read(self, after: EventPosition | None = None) -> AsyncGenerator[LoggedEvent, None]:
        backoff = Backoff()
        while after is None and not self._closed.is_set():
            try:
                after = await self.head()
            except EventLogUnavailableError:
                await backoff.sleep(self._closed)
        last = int(after) if after else 0
        while not self._closed.is_set():
            generation = self._nats.generation
            try:
                subscription = await self._consumer(last + 1)
            except (*FAILURES, EventLogUnavailableError) as exc:
                self.state.failed(exc)
                await backoff.sleep(self._closed)
                continue
            try:
                while generation == self._nats.generation and not self._closed.is_set():
                    try:
                        # Short waits: a reconnect is noticed (generation) within one.
                        msg = await subscription.next_msg(timeout=self._block)
                    except nats.errors.TimeoutError:
                        self.state.caught_up()
                        continue
                    backoff.reset()
                    meta = msg.metadata
                    sequence = meta.sequence.stream
                    if sequence <= last:
                        continue  # redelivered after a consumer reset
                    if sequence > last + 1:
                        self.state.missed += sequence - last - 1  # trimmed before it was read
                    last = sequence
                    self.state.delivered_at(meta.timestamp.timestamp())
                    position = _position(sequence)
                    if (stored := decode(msg.data, position)) is not None:
                        yield LoggedEvent(position, stored)
            except FAILURES as exc:
                self.state.failed(exc)
                await backoff.sleep(self._closed)
            finally:
                await self._unsubscribe(subscription)

    async def replay(self, after: EventPosition, *, limit: int) -> Replay:
        sequence = int(self.position(after))
        first, last = await self._limits()
        if sequence > last:
            raise EventPositionError("position is ahead of the event log", backend=BACKEND)
        start = max(sequence + 1, first)
        end = min(last, start + limit - 1)
        events: list[LoggedEvent] = []
        if start <= end:
            try:
                subscription = await self._consumer(start)
                try:
                    while True:
                        msg = await subscription.next_msg(timeout=self._timeout)
                        meta = msg.metadata
                        position = _position(meta.sequence.stream)
                        if (stored := decode(msg.data, position)) is not None:
                            events.append(LoggedEvent(position, stored))
                        if meta.sequence.stream >= end or meta.num_pending == 0:
                            break
                finally:
                    await self._unsubscribe(subscription)
            except FAILURES as exc:
                self.state.failed(exc)
                raise EventLogUnavailableError(
                    f"log not readable: {exc!r}", backend=BACKEND
                ) from exc
        return Replay(tuple(events), start - sequence - 1, end < last)

    def status(self) -> EventLogStatus:
        return self.state.snapshot()
