"""The floor's HTTP client on aiohttp: the gateway's wire since the fourth round.

Only for `bench.floor_clients`, which measures what the floor's httpx client costs: the
floors of the suite keep httpx. It answers the few calls the floor makes of httpx's
client (`get` with params and headers, `post` of a form with Basic credentials), with
one pool per host, no cookies, orjson; a connection the server closed surfaces as
httpx's `RemoteProtocolError`, so the floor retries it as before.
"""

from __future__ import annotations

import base64
import ssl
from typing import Any

import aiohttp
import httpx
import orjson


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


class AiohttpClient:
    def __init__(self, verify: ssl.SSLContext | bool = True) -> None:
        self.verify = verify
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        # Made in the running loop, on first use.
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=0, limit_per_host=200, ssl=self.verify, keepalive_timeout=2
            )
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session

    async def get(
        self, url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        query = {key: str(value) for key, value in (params or {}).items()}
        return await self._send("GET", url, params=query, headers=headers)

    async def post(self, url: str, data: dict[str, str], auth: Any = None) -> Answer:
        headers = {}
        if isinstance(auth, tuple):  # aiohttp.BasicAuth is deprecated: the header itself
            pair = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        return await self._send("POST", url, data=data, headers=headers)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _send(self, method: str, url: str, **options: Any) -> Answer:
        try:
            async with self._opened().request(method, url, **options) as response:
                return Answer(response.status, await response.read())
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
