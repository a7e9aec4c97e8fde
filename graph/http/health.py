"""Probes for operators and load balancers: liveness, readiness, upstream breakers.

`/readyz` is 200 once the lifespan has started and 503 while draining. Upstreams are left out on purpose: one portal down must not take
every replica out of the load balancer; their state is on `/healthz/upstreams` and
`/status`. The journal's database is reported (`"journal": "ok"` or `"unavailable"`) but
does not make a replica unready: the replicas share it, so a database outage would take
every replica out at once, public data included, while submissions already answer a typed,
retryable UPSTREAM_FAILED without it. Likewise Redis and the event log (issue 19 #6):
down, they are listed under `degraded` (queries work; live updates wait, callbacks answer
503 and are retried), and the replica stays ready.
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


async def redis_state(gateway: GatewayState) -> str:
    if gateway.ping is None:
        return "off"
    try:
        async with asyncio.timeout(REDIS_PING_TIMEOUT):
            await gateway.ping()
    except Exception as exc:  # readiness reports, it never fails on Redis (issue 19 #6)
        logger.warning("Redis did not answer (%s)", type(exc).__name__)
        return "unavailable"
    return "ok"


def events_state(gateway: GatewayState) -> str:
    if gateway.live is None:
        return "off"
    return "ok" if gateway.live.feed.log.status().connected else "unavailable"


def readiness(draining: Callable[[], bool]) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def readyz(request: Request) -> JSONResponse:
        if draining():
            return JSONResponse({"status": "draining"}, status_code=503)
        gateway = request.scope.get("state", {}).get(STATE_KEY)
        if not isinstance(gateway, GatewayState):
            return JSONResponse({"status": "starting"}, status_code=503)
        states = {
            "journal": await journal_state(gateway),
            "redis": await redis_state(gateway),
            "events": events_state(gateway),
        }
        degraded = sorted(name for name, state in states.items() if state == "unavailable")
        return JSONResponse({"status": "ready", **states, "degraded": degraded})

    return readyz
