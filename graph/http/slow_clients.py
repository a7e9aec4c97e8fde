"""Time limits for clients that send slowly (issue 18 #6: slow heads and bodies never timed out).

uvicorn closes idle keep-alive connections, but a request head sent one byte at a time,
or a body that stalls half-way, held a connection (and its buffers) for ever: a few
hundred such clients exhaust the server's sockets ("slowloris").
- `head_timeout_protocol`: uvicorn's httptools protocol, closing a connection whose
  request head is not complete within `seconds` of its first byte (or of connecting);
- `BodyIdleTimeout`: a request body with no bytes for `seconds` is answered 408.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sources.base import ErrorCode


class HeadTimeoutProtocol(HttpToolsProtocol):
    # A class attribute, not a per-server subclass: uvicorn pickles its config into worker
    # processes, and a class made at run time does not pickle. Workers read the setting
    # from the environment they inherit.
    head_timeout = float(os.environ.get("PORTALGRAPH_CLIENT_HEADER_TIMEOUT", "10") or "10")
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows it too
        super().connection_made(transport)
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


def head_timeout_protocol(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class for uvicorn.Config(http=...), with this head timeout (per process)."""
    HeadTimeoutProtocol.head_timeout = seconds
    return HeadTimeoutProtocol


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
