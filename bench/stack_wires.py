"""The candidate wires bench/upstream_stack.py puts under the same `ResilientUpstream`.

Each has `sources._wire.Wire`'s `exchange` contract (query pairs, JSON body, headers,
connect and read timeout; an answer read whole), so the breaker, bulkhead, retry
budget, deadline, observer, auth flow and error translation above it are the
gateway's own and only the client below differs:

- `HttpxLeanWire`: httpx without its client (`httpx.Request` straight into the
  per-origin transport: no cookie jar, auth or redirect machinery, no URL merging);
- `HttpcoreWire`: httpcore's connection pool directly, the URL built by hand.

The winner, aiohttp's session, is `sources._wire.Wire` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpcore
import httpx

from sources._pool import PerOriginTransport
from sources._wire import MAX_ANSWER, Params, Wire, WireAnswer, json_body, query


class HttpxLeanWire(Wire):
    def __init__(self) -> None:
        super().__init__()
        self.transport = PerOriginTransport(httpx.Limits(max_connections=200))

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Params | None,
        json: Any,
        headers: Mapping[str, str],
        read_timeout: float | None,
        connect_timeout: float | None,
        max_answer: int = MAX_ANSWER,  # uncapped: candidates for measuring only
    ) -> WireAnswer:
        content, sent = json_body(json, headers)
        request = httpx.Request(
            method,
            url,
            params=tuple(query(params)) if params else None,
            content=content,
            headers=sent,
            extensions={"timeout": httpx.Timeout(read_timeout, connect=connect_timeout).as_dict()},
        )
        response = await self.transport.handle_async_request(request)
        content = await response.aread()
        return WireAnswer(response.status_code, response.headers, content)

    async def aclose(self) -> None:
        await self.transport.aclose()


class HttpcoreWire(Wire):
    def __init__(self) -> None:
        super().__init__()
        self.pool = httpcore.AsyncConnectionPool(max_connections=200, max_keepalive_connections=200)

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Params | None,
        json: Any,
        headers: Mapping[str, str],
        read_timeout: float | None,
        connect_timeout: float | None,
        max_answer: int = MAX_ANSWER,  # uncapped: candidates for measuring only
    ) -> WireAnswer:
        if params:
            url = f"{url}?{urlencode(query(params))}"
        content, sent = json_body(json, headers)
        response = await self.pool.request(
            method,
            url,
            headers=list(sent.items()),
            content=content,
            extensions={"timeout": {"connect": connect_timeout, "read": read_timeout}},
        )
        headers_read = httpx.Headers(response.headers)  # case-insensitive, as the others
        return WireAnswer(response.status, headers_read, response.content)

    async def aclose(self) -> None:
        await self.pool.aclose()
