"""One connection pool per upstream origin behind the process-wide httpx client.

httpcore hands out connections by scanning its whole pool on every request, and each
idle connection's check is a poll() system call. With one pool for twenty-odd
upstreams (up to 200 connections) that scan was about 60% of the gateway's CPU under
load (py-spy, bench/RESULTS.md); per origin, a request only scans the connections to
the upstream it is about to call.
"""

from __future__ import annotations

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
