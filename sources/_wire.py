"""The wire under `Upstream`: one aiohttp client session per pool of connections.

Measured per call under the same `ResilientUpstream` against the same loopback upstream
(bench/upstream_stack.py, CPU of the calling process, docs/benchmarks.md): on httpx's
client 0.85–1.37 ms for a small JSON answer and 1.75–2.07 ms for a 52 KB directory page,
on httpcore's pool 0.37–0.91 and 1.41–1.53 ms, on aiohttp's session (C HTTP parser,
plain asyncio protocol on uvloop) 0.13–0.17 and 0.79–0.83 ms. So the gateway's calls
go out here; httpx stays for what needs its model (the streamed
attachment upload, the token endpoint, the tests' MockTransport fakes).

Same contract as the httpx client it replaces: no proxies from the environment, no
redirects followed, no cookies kept (the session is shared by every viewer), a
connect and a per-read timeout on each exchange. Foreign errors are not translated
here but in `sources._http.map_transport_errors`, the one boundary.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import certifi
import orjson

Params = Mapping[str, str | int | list[str]]
JSON_HEADERS = {"Content-Type": "application/json"}
KEEPALIVE = 4.0  # seconds an idle connection is kept


@dataclass(slots=True)
class WireAnswer:
    """An upstream's answer on the wire, read whole: what `Upstream` decodes or hands on."""

    status_code: int
    headers: Mapping[str, str]  # case-insensitive (aiohttp's CIMultiDictProxy)
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


class Wire:
    """One aiohttp session: its own connection pool (an mTLS upstream gets one of its own,
    since the client certificate belongs to the TLS context). The session is made on
    first use, inside the event loop that will run it."""

    def __init__(
        self, *, ssl_context: ssl.SSLContext | None = None, limit_per_host: int = 200
    ) -> None:
        self.ssl_context = ssl_context
        self.limit_per_host = limit_per_host
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the upstream client has been closed")  # as httpx says it
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=0,  # per host only, as the per-origin httpx pools were
                limit_per_host=self.limit_per_host,
                # httpx's default: certifi's CA bundle, not the system's.
                ssl=self.ssl_context or ssl.create_default_context(cafile=certifi.where()),
                # httpx's keep-alive expiry was 5 s, uvicorn's idle timeout is 5 s too:
                # a connection is let go a little before the server would close it.
                keepalive_timeout=KEEPALIVE,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # a shared client keeps no cookies
                trust_env=False,  # no proxies from the environment
                auto_decompress=True,
            )
        return self._session

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
    ) -> WireAnswer:
        body = None
        if json is not None:
            body = orjson.dumps(json)
            if not any(name.lower() == "content-type" for name in headers):  # the caller's wins
                headers = {**JSON_HEADERS, **headers}
        async with self.session().request(
            method,
            url,
            params=query(params) if params else None,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=connect_timeout, sock_read=read_timeout
            ),
        ) as response:
            content = await response.read()
            return WireAnswer(response.status, response.headers, content)

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def query(params: Params) -> list[tuple[str, str]]:
    """Query pairs as httpx makes them: a list repeats the name, booleans are lower case."""
    return [
        (name, _text(item))
        for name, value in params.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def _text(value: object) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)
