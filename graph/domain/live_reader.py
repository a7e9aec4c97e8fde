"""A subscriber's reader: its events from the start, while its follow is set up beside it.

Setting up a follow lists the viewer's applications, records their case routes and polls
the baseline of their mailboxes and payments: upstream calls that take a while, and far
longer when hundreds of viewers subscribe at once (a deploy, a morning peak). The
subscription is open before the set-up starts, so nothing is missed; reading only after
the set-up made each event for a new subscriber wait for all of it (bench/live_latency.py
--while-subscribing: p99 of seconds). So the reader delivers while the set-up runs, and the
hub lets only a few set-ups run at once (`LiveHub.setups`), so that they do not crowd out
delivery on the event loop. A failed set-up (e.g. an application that is not the viewer's)
still ends the subscription with its error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from graph.domain.live import Follow, LiveHub
from sources.base import LoggedEvent
from sources.events.feed import Subscription


class FollowingReader:
    __slots__ = ("_follow", "_hub", "_setup", "_stream")

    def __init__(
        self, hub: LiveHub, stream: Subscription, set_up: Callable[[], Awaitable[Follow]]
    ) -> None:
        self._hub = hub
        self._stream = stream
        self._setup: asyncio.Task[Follow] | None = asyncio.create_task(
            self._set_up(set_up), name="portalgraph-follow"
        )
        # Once set up, the follow alone: the finished task was kept for the reader's life.
        self._follow: Follow | None = None

    async def _set_up(self, set_up: Callable[[], Awaitable[Follow]]) -> Follow:
        async with self._hub.setups:
            return await set_up()

    def _settled(self) -> bool:
        """Whether the set-up is over (its error raised here)."""
        if self._setup is None:
            return True
        if not self._setup.done():
            return False
        self._follow, self._setup = self._setup.result(), None
        return True

    async def next(self, seconds: float | None) -> LoggedEvent | None:
        """The next event within `seconds` (else TimeoutError; None: no limit); None when
        the set-up finished first. Raises the set-up's error once it failed."""
        if self._settled():
            if seconds is None:
                return await self._stream.next()
            # asyncio.timeout, not wait_for: no task per event (wait_for wraps one in 3.11).
            async with asyncio.timeout(seconds):
                return await self._stream.next()
        setup = self._setup
        assert setup is not None
        reader = asyncio.ensure_future(self._stream.next())
        try:
            done, _ = await asyncio.wait(
                {reader, setup}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            # Not yet woken: cancelling takes nothing off the queue (next() pops only after).
            if not reader.done():
                reader.cancel()
        if reader in done:
            return reader.result()
        if setup in done:
            self._settled()
            return None
        raise TimeoutError

    async def close(self) -> None:
        """Ends the set-up if still running (its watches go with it), else unfollows."""
        setup = self._setup
        if setup is not None:
            setup.cancel()  # no-op once done
            await asyncio.wait({setup})  # its outcome is read below, never raised here
            if not setup.cancelled() and setup.exception() is None:
                self._follow = setup.result()
        if self._follow is not None:
            await self._hub.unfollow(self._follow)
