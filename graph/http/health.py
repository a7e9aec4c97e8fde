"""Probes for operators and load balancers: liveness, readiness, upstream breakers.

`/readyz` is 200 once the lifespan has started, with Redis answering when configured,
and 503 while draining. Upstreams are left out on purpose: one portal down must not take
every replica out of the load balancer; their state is on `/healthz/upstreams` and
`/status`. The journal's database is reported (`"journal": "ok"` or `"unavailable"`) but
does not make a replica unready: the replicas share it, so a database outage would take
every replica out at once, public data included, while submissions already answer a typed,
retryable UPSTREAM_FAILED without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.context import STATE_KEY, GatewayState

logger = logging.getLogger("portalgraph.readiness")
REDIS_PING_TIMEOUT = 0.5
JOURNAL_PING_TIMEOUT = 1.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def upstream_status(request: Request) -> JSONResponse:
    """Breaker states and cache health, for operators and probes; no GraphQL needed."""
    return JSONResponse(GatewayState.of(request).upstream_status())


async def journal_state(gateway: GatewayState) -> str:
    if gateway.journal is None:
        return "off"
    try:
        async with asyncio.timeout(JOURNAL_PING_TIMEOUT):
            await gateway.journal.ping()
    except Exception as exc:  # readiness reports, it never fails on the database
        logger.warning("journal did not answer (%s)", type(exc).__name__)
        return "unavailable"
    return "ok"


def readiness(draining: Callable[[], bool]) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def readyz(request: Request) -> JSONResponse:
        if draining():
            return JSONResponse({"status": "draining"}, status_code=503)
        gateway = request.scope.get("state", {}).get(STATE_KEY)
        if not isinstance(gateway, GatewayState):
            return JSONResponse({"status": "starting"}, status_code=503)
        if gateway.ping is not None:
            try:
                async with asyncio.timeout(REDIS_PING_TIMEOUT):
                    await gateway.ping()
            except Exception as exc:
                logger.warning("not ready: Redis did not answer (%s)", type(exc).__name__)
                return JSONResponse({"status": "redis unreachable"}, status_code=503)
        return JSONResponse({"status": "ready", "journal": await journal_state(gateway)})

    return readyz
