"""The gateway process of the subscription scenario, with a publisher inside it.

`python -m bench.live_gateway` serves `graph.app.create_app` (settings from the
PORTALGRAPH_* environment, like `portalgraph serve`, uvloop + httptools) and adds two
bench-only routes: GET /_bench/subscribers and POST /_bench/publish?events=N&viewers=V,
which publishes N inbox events at 1,000 per second into the gateway's event log, one
subscribed viewer after another (at most V of them), each stamped with its send time
(same host, same clock).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
import tracemalloc
import uuid
from typing import Any, cast

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from graph.app import create_app
from graph.context import GatewayState
from graph.domain.live import LiveHub
from graph.server import GatewayServer
from graph.settings import Settings
from sources.base import EventKind, EventRecord

RATE = 1000  # events per second


# Event ids are de-duplicated by the event log: make them unique to this run.
RUN = uuid.uuid4().hex[:8]


def hub(request: Request) -> LiveHub:
    live = GatewayState.of(request).live
    assert live is not None
    return live


async def subscribers(request: Request) -> JSONResponse:
    return JSONResponse({"subscribers": hub(request).feed.subscribers})


BASELINE: list[tracemalloc.Snapshot] = []


async def heap(request: Request) -> JSONResponse:
    """Python heap actually held (BENCH_TRACEMALLOC=1): RSS also counts allocator slack.

    `?mark=1` keeps a snapshot; `?top=N` then adds the N call sites (innermost frames
    first) whose allocations grew most since it: what each new subscription holds.
    """
    gc.collect()
    out: dict[str, Any] = {"traced": tracemalloc.get_traced_memory()[0]}
    if request.query_params.get("mark"):
        BASELINE[:] = [tracemalloc.take_snapshot()]
    top = int(request.query_params.get("top", "0"))
    if top and BASELINE:
        grown = tracemalloc.take_snapshot().compare_to(BASELINE[0], "traceback")
        out["top"] = [
            {
                "kib": stat.size_diff / 1024,
                "count": stat.count_diff,
                "where": stat.traceback.format(),
            }
            for stat in grown[:top]
        ]
    return JSONResponse(out)


async def publish(request: Request) -> JSONResponse:
    live, events = hub(request), int(request.query_params["events"])
    viewers = int(request.query_params["viewers"])
    # The viewers who subscribed, whoever they are (bench/live_suite.py's made-up subjects
    # or bench/live_latency.py's sandbox citizens).
    audiences = sorted(live.subscriptions)[:viewers]
    started = time.perf_counter()
    for n in range(events):
        # Paced against the clock, not by sleeping 1 ms each, so the rate holds under load.
        delay = started + n / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        data = {
            "messageId": f"m{n}",
            "subject": repr(time.time()),
            "sender": "Bench",
            "service": None,
            "receivedAt": None,
            "isNotice": False,
            "requiredTrustLevel": 1,
            "applicationId": None,
        }
        audience = audiences[n % len(audiences)]
        await live.publish(
            EventRecord(f"bench-{RUN}-{n}", EventKind.INBOX_MESSAGE, audience, "koeln", data)
        )
    return JSONResponse({"published": events, "seconds": time.perf_counter() - started})


def main() -> None:
    if os.environ.get("BENCH_TRACEMALLOC"):
        tracemalloc.start(int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "1")))
    # Every bench client connects from one loopback address: the per-client socket cap
    # (PORTALGRAPH_WS_MAX_PER_CLIENT, issue 18) would refuse all but the first 50.
    settings = Settings.from_env().override(ws_max_per_client=1_000_000)
    gateway = create_app(settings)
    app = Starlette(
        routes=[
            Route("/_bench/subscribers", subscribers),
            Route("/_bench/heap", heap),
            Route("/_bench/publish", publish, methods=["POST"]),
            Mount("", app=gateway),
        ],
        lifespan=cast(Any, lambda _app: gateway.router.lifespan_context(gateway)),
    )
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=int(os.environ["PORTALGRAPH_PORT"]),
        loop="uvloop",
        http="httptools",
        log_level="warning",
        backlog=16384,  # thousands of WebSocket connects arrive at once
        ws_per_message_deflate=False,  # as `portalgraph serve` (graph/cli.py)
    )
    GatewayServer(config).run()


if __name__ == "__main__":
    main()
