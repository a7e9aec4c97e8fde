"""Health and graceful shutdown on a real uvicorn `GatewayServer`.

WebSockets closing with 1001 is covered by tests/e2e/test_live_limits.py; here: readiness
turns 503 as soon as shutdown begins while the listener keeps serving for the drain
delay, and a request in flight is answered within the grace period.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer, free_port
from tests.conftest import Sandbox
from tests.helpers.redis_server import redis_url

SLOW = 'query Slow { services(query: "Reisepass", ars: "053150000000", first: 3) { totalCount } }'
GRACE = 5


def get(url: str) -> httpx.Response:
    # A new connection each time, as a kubelet probe or a load balancer would open.
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.get(url)


def test_readiness_turns_503_at_once_and_in_flight_requests_finish(
    loop_thread: LoopThread, gateway_settings: Settings, clean_sandbox: Sandbox
) -> None:
    server = UvicornServer(create_app(gateway_settings.override(shutdown_delay=1.0)))
    server.server.config.timeout_graceful_shutdown = GRACE
    loop_thread.call(server.start())
    assert get(server.url + "/healthz").json() == {"status": "ok"}
    assert get(server.url + "/readyz").status_code == 200
    clean_sandbox.fault("koeln", "services", latency_ms=1500)
    answers: list[httpx.Response] = []

    def slow_request() -> None:
        with httpx.Client(trust_env=False, timeout=10) as client:
            answers.append(client.post(server.url + "/graphql", json={"query": SLOW}))

    in_flight = threading.Thread(target=slow_request)
    in_flight.start()
    time.sleep(0.3)
    began = time.monotonic()
    stopping = asyncio.run_coroutine_threadsafe(server.stop(), loop_thread.loop)
    # uvicorn notices `should_exit` on its next tick (every 0.1 s).
    while (readiness := get(server.url + "/readyz")).status_code == 200:
        assert time.monotonic() - began < 0.5
    assert (readiness.status_code, readiness.json()) == (503, {"status": "draining"})
    assert get(server.url + "/healthz").status_code == 200  # still alive, still serving
    in_flight.join(GRACE + 2)
    stopping.result(GRACE + 5)
    stopped_after = time.monotonic() - began
    [answer] = answers
    assert answer.status_code == 200
    assert answer.json()["data"]["services"]["totalCount"] > 0
    assert stopped_after < GRACE + 1.5
    try:
        get(server.url + "/healthz")
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the listener is still open after shutdown")


def test_readiness_reports_redis_down_as_degraded_and_stays_ready(
    loop_thread: LoopThread, gateway_settings: Settings
) -> None:
    """Issue 19 #6: Redis down took every replica out of the load balancer at once."""
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with redis_url() as reachable:
        for url, degraded in ((reachable, []), (nowhere, ["events", "redis"])):
            server = UvicornServer(create_app(gateway_settings.override(redis_url=url)))
            loop_thread.call(server.start())
            try:
                started = time.monotonic()
                answer = get(server.url + "/readyz")
                assert answer.status_code == 200, answer.text
                assert answer.json()["degraded"] == degraded
                assert time.monotonic() - started < 1.5  # a short ping, not the socket timeout
                assert get(server.url + "/healthz").status_code == 200
            finally:
                loop_thread.call(server.stop())
