"""One connection pool per upstream origin behind the process-wide httpx client.

httpcore hands out connections by scanning its whole pool on every request, and each
idle connection's check is a poll() system call. With one pool for twenty-odd
upstreams (up to 200 connections) that scan was about 60% of the gateway's CPU under
load (py-spy, bench/RESULTS.md); per origin, a request only scans the connections to
the upstream it is about to call.

`new_client` builds the process-wide client on these pools.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx


class PerOriginTransport(httpx.AsyncBaseTransport):
    def __init__(self, limits: httpx.Limits) -> None:
        self.limits = limits
        self.pools: dict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port)
        pool = self.pools.get(origin)
        if pool is None:
            # trust_env=False as on the client: no proxies from the environment.
            pool = self.pools[origin] = httpx.AsyncHTTPTransport(
                limits=self.limits, trust_env=False
            )
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self.pools = self.pools, {}
        for pool in pools.values():
            await pool.aclose()


def new_client(
    *,
    connect_timeout: float = 2.0,
    read_timeout: float = 10.0,
    max_connections: int = 200,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The process-wide client: pooled connections, no env proxies, explicit timeouts, no
    cookies. `transport` replaces the per-origin pools (tests)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        transport=transport or PerOriginTransport(limits),  # limits per upstream origin (above)
        trust_env=False,
        follow_redirects=False,
        cookies=no_cookies(),
    )


def no_cookies() -> CookieJar:
    """A jar that keeps nothing. The client is shared by every viewer's requests: a cookie
    an upstream set in an answer to one citizen would go out with the next citizen's
    requests to that host. Upstreams authenticate per request, never by cookie."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
