"""Failure behaviour end to end: sandbox faults over real HTTP, one test per case.

Each test runs its own gateway (short deadline, short breaker cool-down) so breaker
and cache state never leak into other tests.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer, free_port
from sources.topology import parse_topology
from tests.conftest import Gateway, Sandbox
from tests.helpers.redis_server import ThrowawayRedis

KOELN = "053150000000"
DEADLINE = 1.5
SERVICES = """
query Services($ars: String, $query: String) {
  services(ars: $ars, query: $query, first: 100) {
    edges { node { id name originPortal { id } } }
    outages { portalId capability code }
  }
}
"""
StartGateway = Callable[..., Gateway]


def portals_of(body: dict[str, Any]) -> set[str]:
    return {e["node"]["originPortal"]["id"] for e in body["data"]["services"]["edges"]}


def codes(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (e["extensions"]["code"], e["extensions"]["portalId"], e["extensions"]["capability"])
        for e in body.get("errors", [])
    ]


def timed(gateway: Gateway, variables: dict[str, Any]) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    body = gateway.query(SERVICES, variables)
    return body, time.monotonic() - started


def status_of(gateway: Gateway) -> dict[str, Any]:
    # A client of its own: the gateway's client may be busy in another thread.
    with httpx.Client(base_url=gateway.url, trust_env=False) as client:
        status: dict[str, Any] = client.get("/healthz/upstreams").json()
        return status


def upstream_status(gateway: Gateway, portal: str = "pvog") -> dict[str, Any]:
    status = status_of(gateway)
    return next(
        u for u in status["upstreams"] if (u["portalId"], u["capability"]) == (portal, "services")
    )


@pytest.fixture
def start_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, clean_sandbox: Sandbox
) -> Iterator[StartGateway]:
    """Start gateways with their own settings and network-file `[defaults]`."""
    servers: list[UvicornServer] = []
    gateways: list[Gateway] = []

    def start(
        *, refused: str | None = None, defaults: dict[str, float] | None = None, **settings: Any
    ) -> Gateway:
        text = clean_sandbox.toml_path.read_text(encoding="utf-8")
        if refused is not None:  # nothing listens there: connection refused
            live = f'url = "{clean_sandbox.url(refused)}"'
            text = text.replace(live, f'url = "http://127.0.0.1:{free_port()}"')
        rules = {"retries": 1, "breaker_failures": 5, "breaker_reset": 0.5, **(defaults or {})}
        text += "\n[defaults]\n" + "".join(f"{k} = {v}\n" for k, v in rules.items())
        chosen = gateway_settings.override(
            **{
                "request_deadline": DEADLINE,
                "upstream_read_timeout": 1.0,
                "cache": False,
                **settings,
            }
        )
        server = UvicornServer(create_app(chosen, topology=parse_topology(text)))
        loop_thread.call(server.start())
        servers.append(server)
        gateways.append(Gateway(server.url))
        return gateways[-1]

    yield start
    for gateway in gateways:
        gateway.http.close()
    for server in servers:
        loop_thread.call(server.stop())


def test_the_pvog_timing_out_answers_with_upstream_timeout(
    start_gateway: StartGateway, clean_sandbox: Sandbox
) -> None:
    gateway = start_gateway()
    clean_sandbox.fault("pvog", timeout=True)
    body, elapsed = timed(gateway, {"ars": KOELN})
    assert portals_of(body) == set()  # one PVOG: no partial list of descriptions
    assert codes(body) == [("UPSTREAM_TIMEOUT", "pvog", "SERVICES")]
    assert elapsed < DEADLINE
    assert clean_sandbox.calls("pvog") == {"GET /v8beta1/servicedescriptions": 1}, "no retry"


@pytest.mark.parametrize("status", [500, 503])
def test_the_pvog_answering_5xx_is_retried_then_reported_unavailable(
    start_gateway: StartGateway, clean_sandbox: Sandbox, status: int
) -> None:
    gateway = start_gateway(defaults={"retries": 2})
    clean_sandbox.fault("pvog", status=status)
    body = gateway.query(SERVICES, {"ars": KOELN})
    assert portals_of(body) == set()  # one PVOG: no partial list of descriptions
    assert codes(body) == [("UPSTREAM_UNAVAILABLE", "pvog", "SERVICES")]
    assert body["data"]["services"]["outages"] == [
        {"portalId": "pvog", "capability": "SERVICES", "code": "UPSTREAM_UNAVAILABLE"}
    ]
    assert clean_sandbox.calls("pvog") == {"GET /v8beta1/servicedescriptions": 3}


def test_the_pvog_refusing_connections_is_unavailable(start_gateway: StartGateway) -> None:
    gateway = start_gateway(refused="pvog")
    body, elapsed = timed(gateway, {"ars": KOELN})
    assert portals_of(body) == set()  # one PVOG: no partial list of descriptions
    assert codes(body) == [("UPSTREAM_UNAVAILABLE", "pvog", "SERVICES")]
    assert elapsed < 1.0


def test_malformed_json_is_a_bad_response_not_a_crash(
    start_gateway: StartGateway, clean_sandbox: Sandbox
) -> None:
    gateway = start_gateway()
    clean_sandbox.fault("pvog", malformed=True)
    response = gateway.post(SERVICES, {"ars": KOELN})
    assert response.status_code == 200
    body = response.json()
    assert portals_of(body) == set()  # one PVOG: no partial list of descriptions
    assert codes(body) == [("UPSTREAM_BAD_RESPONSE", "pvog", "SERVICES")]
    assert clean_sandbox.calls("pvog") == {"GET /v8beta1/servicedescriptions": 1}, "no retry"


def test_429_with_a_short_retry_after_is_waited_out_and_a_long_one_is_not(
    start_gateway: StartGateway, clean_sandbox: Sandbox
) -> None:
    # A deadline with room for the 1 s wait plus a traced, loaded CI run (1.5 s was not).
    gateway = start_gateway(request_deadline=3.0)
    clean_sandbox.fault("pvog", status=429, retry_after=1)
    body, elapsed = timed(gateway, {"ars": KOELN})
    assert codes(body) == [("UPSTREAM_RATE_LIMITED", "pvog", "SERVICES")]
    assert clean_sandbox.calls("pvog") == {"GET /v8beta1/servicedescriptions": 2}
    assert 1.0 <= elapsed < 3.0

    clean_sandbox.fault("pvog", status=429, retry_after=30)
    clean_sandbox.reset_stats()
    body, elapsed = timed(gateway, {"ars": KOELN, "query": "Pass"})
    assert codes(body) == [("UPSTREAM_RATE_LIMITED", "pvog", "SERVICES")]
    assert clean_sandbox.calls("pvog") == {"GET /v8beta1/servicedescriptions": 1}
    assert elapsed < 1.0, "a Retry-After beyond the deadline fails at once, not after 1 s"


def test_the_pvog_slowed_to_10_s_does_not_hold_the_request_past_the_deadline(
    start_gateway: StartGateway, clean_sandbox: Sandbox
) -> None:
    gateway = start_gateway(upstream_read_timeout=30.0)
    clean_sandbox.fault("pvog", latency_ms=10_000)
    body, elapsed = timed(gateway, {"ars": KOELN})
    assert portals_of(body) == set()  # one PVOG: no partial list of descriptions
    assert codes(body) == [("UPSTREAM_TIMEOUT", "pvog", "SERVICES")]
    assert elapsed < DEADLINE + 0.3


def test_the_breaker_opens_then_a_probe_closes_it(
    start_gateway: StartGateway, clean_sandbox: Sandbox
) -> None:
    gateway = start_gateway(defaults={"retries": 0, "breaker_failures": 3})
    clean_sandbox.fault("pvog", status=503)
    for _ in range(3):
        assert codes(gateway.query(SERVICES, {"ars": KOELN}))[0][0] == "UPSTREAM_UNAVAILABLE"
    assert upstream_status(gateway)["state"] == "open"
    for _ in range(5):
        body, elapsed = timed(gateway, {"ars": KOELN})
        assert codes(body) == [("UPSTREAM_UNAVAILABLE", "pvog", "SERVICES")]
        assert portals_of(body) == set()  # one PVOG: no partial list of descriptions
        assert elapsed < 0.5, "an open breaker fails fast"
    assert clean_sandbox.calls("pvog") == {"GET /v8beta1/servicedescriptions": 3}, (
        "an open breaker sends nothing"
    )

    clean_sandbox.clear_faults()
    time.sleep(0.6)  # the cool-down (breaker_reset = 0.5)
    body = gateway.query(SERVICES, {"ars": KOELN})
    assert "errors" not in body
    assert portals_of(body) == {"bund", "nrw", "koeln"}
    assert upstream_status(gateway) == {
        "portalId": "pvog",
        "capability": "services",
        "state": "closed",
        "consecutiveFailures": 0,
        "retryIn": None,
    }
    # The search, plus one detail call per hit that came without its LeiKa keys.
    assert clean_sandbox.calls("pvog")["GET /v8beta1/servicedescriptions"] == 4


def test_stale_service_data_is_served_while_the_directory_is_down(
    start_gateway: StartGateway, clean_sandbox: Sandbox
) -> None:
    gateway = start_gateway(cache=True, cache_ttl_services=0.3, cache_max_stale=60.0)
    fresh = gateway.query(SERVICES, {"ars": KOELN})
    assert portals_of(fresh) == {"bund", "nrw", "koeln"}
    assert gateway.query(SERVICES, {"ars": KOELN}) == fresh
    searched = clean_sandbox.calls("pvog")
    assert searched["GET /v8beta1/servicedescriptions"] == 1, "cached"

    time.sleep(0.35)  # past the TTL
    clean_sandbox.fault("pvog", status=503)
    stale = gateway.query(SERVICES, {"ars": KOELN})
    assert stale == fresh, "stale data, and no outage for it"
    assert clean_sandbox.calls("pvog") == searched | {"GET /v8beta1/servicedescriptions": 3}, (
        "the directory was asked (and retried) before stale data was served"
    )
    never_cached = gateway.query(SERVICES, {"ars": KOELN, "query": "Hund"})
    assert codes(never_cached) == [("UPSTREAM_UNAVAILABLE", "pvog", "SERVICES")]


@pytest.mark.redis
@pytest.mark.slow
def test_redis_stopped_and_restarted_during_a_stream_of_queries(
    start_gateway: StartGateway,
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on the PATH to stop and restart it")
    server = ThrowawayRedis()
    server.start()
    try:
        gateway = start_gateway(
            cache=True, redis_url=server.url, redis_timeout=0.075, redis_retry_interval=0.3
        )
        failures: list[str] = []
        answered = 0
        stop = threading.Event()

        def stream() -> None:
            nonlocal answered
            words = ["Pass", "Hund", "Kita", "Bau", "Gewerbe", "Wohn", "Park", "Steuer"]
            while not stop.is_set():
                word = words[answered % len(words)] + str(answered)  # a miss every time
                response = gateway.post(SERVICES, {"ars": KOELN, "query": word})
                if response.status_code != 200 or "errors" in response.json():
                    failures.append(response.text[:200])
                answered += 1

        worker = threading.Thread(target=stream)
        worker.start()
        time.sleep(0.5)
        server.stop()  # killed mid-stream
        time.sleep(0.7)
        server.start()  # back on the same port, empty
        deadline = time.monotonic() + 5
        while status_of(gateway)["cache"]["redis"] != "up":
            assert time.monotonic() < deadline, "Redis was not picked up again"
            time.sleep(0.05)
        time.sleep(0.5)
        stop.set()
        worker.join(10)
        assert failures == []
        assert answered > 20
        with redis.Redis.from_url(server.url) as restarted:
            assert restarted.dbsize() > 0, "entries are written to Redis again after its restart"
    finally:
        server.stop()
