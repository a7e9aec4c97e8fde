"""The JetStream log's connection: connects and reconnects by itself, keeps the stream in place."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext, api

from sources.base import Retention
from sources.errors import EventLogUnavailableError
from sources.events._connection import Backoff, ConnectionState

FAILURES = (nats.errors.Error, TimeoutError, OSError)


class JetStreamConnection:
    """One NATS connection; `generation` grows on every reconnect (readers then resubscribe)."""

    def __init__(
        self,
        url: str,
        stream: str,
        subject: str,
        retention: Retention,
        timeout: float,
        state: ConnectionState,
    ) -> None:
        self._url, self._stream, self._subject = url, stream, subject
        self._retention, self._timeout, self._state = retention, timeout, state
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self.generation = 0
        self.closed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Returns at once; the first connect keeps trying in the background."""
        self._tasks.append(asyncio.create_task(self._connect(), name="portalgraph-jetstream"))

    async def _connect(self) -> None:
        nc = self._nc = Client()
        # nats-py annotates these as int but sleeps on them: sub-second waits work.
        options: dict[str, Any] = {"reconnect_time_wait": 0.25, "connect_timeout": self._timeout}
        await nc.connect(
            servers=[self._url],
            allow_reconnect=True,
            max_reconnect_attempts=-1,  # also keeps the first connect trying
            ping_interval=5,
            max_outstanding_pings=2,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
            **options,
        )
        self._js = nc.jetstream(timeout=self._timeout)
        await self._ensure_stream()

    async def _ensure_stream(self) -> None:
        """Create or update the stream; retried until JetStream answers (it starts late)."""
        assert self._js is not None
        r = self._retention
        config = api.StreamConfig(
            name=self._stream,
            subjects=[self._subject],
            storage=api.StorageType.FILE,
            retention=api.RetentionPolicy.LIMITS,
            discard=api.DiscardPolicy.OLD,
            max_age=r.max_age,
            max_msgs=r.max_events,
            duplicate_window=min(r.dedupe_window, r.max_age),
        )
        backoff = Backoff()
        while not self.closed.is_set():
            try:
                try:
                    info = await self._js.add_stream(config)
                except nats.js.errors.BadRequestError:  # exists with other limits
                    info = await self._js.update_stream(config)
            except FAILURES as exc:
                self._state.failed(exc)
                await backoff.sleep(self.closed)
                continue
            self._state.durable = info.config.storage == api.StorageType.FILE
            self._state.succeeded()
            return

    async def _on_error(self, exc: Exception) -> None:
        if self._nc is None or not self._nc.is_connected:
            self._state.failed(exc)

    async def _on_disconnected(self) -> None:
        self._state.failed(ConnectionError("disconnected"))

    async def _on_reconnected(self) -> None:
        self.generation += 1
        # The server may have come back without its store. Not awaited here: nats-py runs
        # this callback inside its reconnect step, before it reads replies again.
        self._tasks = [t for t in self._tasks if not t.done()]
        self._tasks.append(asyncio.create_task(self._ensure_stream()))

    def context(self) -> JetStreamContext:
        """JetStream while connected; EventLogUnavailableError at once otherwise (no buffering)."""
        if self._js is None or self._nc is None or not self._nc.is_connected:
            exc = EventLogUnavailableError("not connected", backend="jetstream")
            self._state.failed(exc)
            raise exc
        return self._js

    async def close(self) -> None:
        self.closed.set()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._state.close()
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()
