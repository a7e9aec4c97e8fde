"""The floors' one HTTP client: an aiohttp session, as the gateway's upstream wire is.

The floor is the cheapest honest program making the gateway's upstream calls, so it
calls over the same library the gateway does (sources/_wire.py) and decodes with orjson:
on httpx the floor spent 3–10× the CPU per linked dashboard (docs/benchmarks.md, "The
floor of a citizen's dashboard"), and its ratios flattered the gateway. What the floors
ask of it: `get` with query parameters and headers, `post` of a form with HTTP Basic
credentials, one pool per host (aiohttp keys its idle connections by host, port and TLS
context, so no request scans another upstream's pool), the sandbox's TLS context (the
mutual-TLS payment provider's client certificate), no cookies. A GET whose connection the
server closed is sent once more on a new one by aiohttp itself (RFC 9112 §9.3.1.1), as on
the gateway's wire; the sandbox counts the call once, as it saw one request answered.
"""

from __future__ import annotations

import base64
import ssl
from typing import Any

import aiohttp
import orjson

TIMEOUT = aiohttp.ClientTimeout(total=30)
# Idle connections expire before uvicorn's 5 s keep-alive closes them, so few requests
# race a closing connection.
KEEPALIVE_S = 2.0


class Answer:
    __slots__ = ("body", "status_code")

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.body = body

    def json(self) -> Any:
        return orjson.loads(self.body)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"upstream answered {self.status_code}")


class FloorClient:
    def __init__(self, verify: ssl.SSLContext | bool = True) -> None:
        self.verify = verify
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        # Made in the running loop, on first use.
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=0, limit_per_host=200, ssl=self.verify, keepalive_timeout=KEEPALIVE_S
            )
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=TIMEOUT
            )
        return self._session

    async def get(
        self, url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        query = {key: str(value) for key, value in (params or {}).items()}
        return await self._send("GET", url, params=query, headers=headers)

    async def post(
        self, url: str, data: dict[str, str], auth: tuple[str, str] | None = None
    ) -> Answer:
        headers = {}
        if auth is not None:  # aiohttp.BasicAuth is deprecated: the header itself
            pair = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        return await self._send("POST", url, data=data, headers=headers)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _send(self, method: str, url: str, **options: Any) -> Answer:
        async with self._opened().request(method, url, **options) as response:
            return Answer(response.status, await response.read())
