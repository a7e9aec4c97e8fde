"""Time limits for clients that send slowly (issue 18 #6: slow heads and bodies never timed out).

uvicorn closes idle keep-alive connections, but a request head sent one byte at a time,
or a body that stalls half-way, held a connection (and its buffers) for ever: a few
hundred such clients exhaust the server's sockets ("slowloris").
- `HeadTimeoutProtocol`: uvicorn's httptools protocol, closing a connection whose
  request head is not complete within the settings' `client_header_timeout` of its first
  byte (or of connecting);
- `BodyIdleTimeout`: a request body with no bytes for `seconds` is answered 408.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from graph.context import STATE_KEY
from graph.settings_groups import ServerSettings
from sources.base import ErrorCode

# For a server whose app has no gateway state (a plain ASGI app in a test).
DEFAULT_HEAD_TIMEOUT = ServerSettings().client_header_timeout


class HeadTimeoutProtocol(HttpToolsProtocol):
    """The timeout comes from the settings the served gateway was built with, found in the
    lifespan state uvicorn hands every protocol (`app_state`). Not a class attribute nor a
    per-server subclass: uvicorn pickles its config (this class, by reference) into spawned
    workers, and each worker builds its own settings when it builds the app; several
    servers in one process (tests) each keep their own."""

    head_timeout: float = DEFAULT_HEAD_TIMEOUT
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows it too
        super().connection_made(transport)
        gateway = self.app_state.get(STATE_KEY)
        if gateway is not None:
            self.head_timeout = gateway.settings.server.client_header_timeout
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expired(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class SlowBodyError(Exception):
    """No body bytes arrived within the idle timeout."""


class BodyIdleTimeout:
    """Pure ASGI: while a request body streams in, each part must arrive within `seconds`."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        reading = True
        started = False

        async def timed_receive() -> Message:
            nonlocal reading
            if not reading:  # after the body: waiting for a disconnect is no stall
                return await receive()
            try:
                async with asyncio.timeout(self.seconds):
                    message = await receive()
            except TimeoutError:
                raise SlowBodyError from None
            reading = message["type"] == "http.request" and message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except SlowBodyError:
            if started:
                raise
            answer: Any = JSONResponse(
                {
                    "error": f"No request body bytes for {self.seconds:g} s.",
                    "code": ErrorCode.REQUEST_TIMEOUT,
                },
                status_code=408,
                headers={"connection": "close"},
            )
            await answer(scope, receive, send)
