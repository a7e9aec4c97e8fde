"""One connection pool per upstream origin behind the process-wide httpx client.

httpcore hands out connections by scanning its whole pool on every request, and each
idle connection's check is a poll() system call. With one pool for twenty-odd
upstreams (up to 200 connections) that scan was about 60% of the gateway's CPU under
load (py-spy, bench/RESULTS.md); per origin, a request only scans the connections to
the upstream it is about to call.

`new_client` builds the process-wide client on these pools, with the lean wire
(sources/_wire.py) that `Upstream` sends the gateway's calls on; `httpx_exchange` is a
call through the httpx side (a client without a wire: the tests' MockTransport fakes).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any

import httpx

from sources._wire import Params, Wire

DRAINED = httpx.ByteStream(b"")  # the stream of a response whose body is read


class PerOriginTransport(httpx.AsyncBaseTransport):
    def __init__(self, limits: httpx.Limits, verify: ssl.SSLContext | bool = True) -> None:
        self.limits = limits
        self.verify = verify
        self.pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port)
        pool = self.pools.get(origin)
        if pool is None:
            # trust_env=False as on the client: no proxies from the environment.
            pool = self.pools[origin] = httpx.AsyncHTTPTransport(
                limits=self.limits, trust_env=False, verify=self.verify
            )
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self.pools = self.pools, {}
        for pool in pools.values():
            await pool.aclose()


class UpstreamClient(httpx.AsyncClient):
    """The httpx client (uploads, token endpoints) and, as `wire`, the lean one that
    `Upstream` sends on; closing one closes both."""

    def __init__(self, wire: Wire | None, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]  # httpx's own keyword arguments
        self.wire = wire

    async def aclose(self) -> None:
        if self.wire is not None:
            await self.wire.aclose()
        await super().aclose()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        if self.wire is not None:  # httpx's __aexit__ does not call aclose
            await self.wire.aclose()
        await super().__aexit__(exc_type, exc_value, traceback)


def new_client(
    *,
    connect_timeout: float = 2.0,
    read_timeout: float = 10.0,
    max_connections: int = 200,
    transport: httpx.AsyncBaseTransport | None = None,
    verify: ssl.SSLContext | None = None,
) -> UpstreamClient:
    """The process-wide client: pooled connections, no env proxies, explicit timeouts, no
    cookies. `transport` replaces the per-origin pools and the wire (tests: every call
    then goes through it); `verify`: the TLS context of an mTLS upstream's own pools."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    wire = None
    if transport is None:
        transport = PerOriginTransport(limits, verify if verify is not None else True)
        wire = Wire(ssl_context=verify, limit_per_host=max_connections)
    return UpstreamClient(
        wire,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        transport=transport,  # limits per upstream origin (above)
        trust_env=False,
        follow_redirects=False,
        cookies=no_cookies(),
    )


def no_cookies() -> CookieJar:
    """A jar that keeps nothing. The client is shared by every viewer's requests: a cookie
    an upstream set in an answer to one citizen would go out with the next citizen's
    requests to that host. Upstreams authenticate per request, never by cookie."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


async def httpx_exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    params: Params | None,
    json: Any,
    headers: Mapping[str, str] | None,
    limits: httpx.Timeout,
    auth: httpx.Auth | None,
) -> httpx.Response:
    """One exchange through httpx's client (a client without a wire: the tests' fakes),
    its body read; `Upstream` translates its errors."""
    response = await client.request(
        method,
        url,
        params=params,
        json=json,
        headers=headers,
        timeout=limits,
        auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
    )
    await response.aread()
    # httpx's response and its stream point at each other: a cycle per call that
    # held the response (and the pool's request objects) until the cyclic
    # collector ran. The body is read and the stream closed; drop the stream.
    response.stream = DRAINED
    return response
