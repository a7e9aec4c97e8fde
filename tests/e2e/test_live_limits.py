"""Live updates under pressure and across replicas: limits, close codes, Redis fan-out."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer, free_port
from sandbox.runner import SandboxNetwork
from sources.base import EventKind, EventRecord
from sources.events.feed import EventFeed
from sources.events.logs import MemoryEventLog
from tests.conftest import Gateway, Sandbox
from tests.helpers.callbacks import advance_case, submitted
from tests.helpers.live import LiveClient
from tests.helpers.redis_server import redis_url

INBOX = "subscription { inboxMessageReceived { subject missedEvents } }"


@pytest.fixture(scope="module")
def strict_gateway(loop_thread: LoopThread, gateway_settings: Settings) -> Iterator[Gateway]:
    settings = gateway_settings.override(
        connection_init_timeout=0.5,
        subscriptions_per_viewer=1,
        subscriptions_per_connection=2,
        poll_interval=0.3,
    )
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    gateway = Gateway(server.url)
    yield gateway
    gateway.http.close()
    loop_thread.call(server.stop())


def test_connection_init_must_come_in_time(strict_gateway: Gateway) -> None:
    url = strict_gateway.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        time.sleep(1.0)
        try:
            ws.recv(timeout=3)
        except Exception as closed:
            code = getattr(getattr(closed, "rcvd", None), "code", None)
        assert code == 4408


def test_ping_is_answered_with_pong(strict_gateway: Gateway, sandbox: Sandbox) -> None:
    client = LiveClient(strict_gateway.url, sandbox.demo_token("max"))
    try:
        client.send({"type": "ping"})
        assert client.receive(5)["type"] == "pong"
    finally:
        client.close()


def test_a_viewer_beyond_the_subscription_cap_is_closed_with_4429(
    strict_gateway: Gateway, sandbox: Sandbox
) -> None:
    token = sandbox.demo_token("firma")
    first = LiveClient(strict_gateway.url, token)
    second = LiveClient(strict_gateway.url, token)
    try:
        first.subscribe(INBOX)
        time.sleep(0.5)
        second.subscribe(INBOX)
        assert second.close_code(5) == 4429
    finally:
        first.close()
        second.close()


def test_the_connection_closes_with_4403_when_the_token_expires(
    strict_gateway: Gateway, sandbox: Sandbox
) -> None:
    demo = sandbox.demo_token("lena")
    claims = json.loads(base64.urlsafe_b64decode(demo.split(".")[1] + "=="))
    claims.update(exp=int(time.time()) + 2, jti="short-lived")
    client = LiveClient(strict_gateway.url, sandbox.sign(claims))
    try:
        client.subscribe(INBOX)
        assert client.close_code(10) == 4403
    finally:
        client.close()


async def test_a_full_queue_drops_the_oldest_and_counts_it() -> None:
    feed = EventFeed(MemoryEventLog())
    await feed.start()
    stream = await feed.subscribe("viewer", max_queue=3)
    for n in range(5):
        event = EventRecord(f"e{n}", EventKind.INBOX_MESSAGE, "viewer", "koeln", {"n": n})
        await feed.log.append(event)
    first = await feed.log.append(EventRecord("e4", EventKind.INBOX_MESSAGE, "viewer", "koeln", {}))
    for _ in range(100):
        if feed.received == 5:
            break
        await asyncio.sleep(0.01)
    assert feed.received == 5  # the repeated id was stored once
    assert stream.dropped == 2
    delivered = [await stream.next() for _ in range(3)]
    assert [logged.event.data["n"] for logged in delivered] == [2, 3, 4]
    assert delivered[-1].position == first
    stream.close()
    await feed.close()


def test_websockets_are_closed_with_1001_on_shutdown(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> None:
    server = UvicornServer(create_app(gateway_settings))
    loop_thread.call(server.start())
    client = LiveClient(server.url, sandbox.demo_token("max"))
    client.subscribe(INBOX)
    time.sleep(0.3)
    stopping = asyncio.run_coroutine_threadsafe(server.stop(), loop_thread.loop)
    try:
        assert client.close_code(10) == 1001
    finally:
        stopping.result(15)
        client.close()


def test_a_callback_on_replica_a_reaches_a_subscriber_on_replica_b(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> None:
    with redis_url() as url:
        replicas = []
        for _ in range(2):  # each announces its own hook as the callback URL
            port = free_port()
            settings = gateway_settings.override(
                redis_url=url, poll_interval=60, callback_base_url=f"http://127.0.0.1:{port}"
            )
            replicas.append(UvicornServer(create_app(settings), port=port))
        replica_a, replica_b = replicas
        loop_thread.call(replica_a.start())
        loop_thread.call(replica_b.start())
        try:
            deliver_across_replicas(sandbox, replica_a.url, replica_b.url)
        finally:
            loop_thread.call(replica_a.stop())
            loop_thread.call(replica_b.stop())


def deliver_across_replicas(sandbox: Sandbox, sender_url: str, subscriber_url: str) -> None:
    """A submission through `sender_url`, whose callback FIT-Connect sends there, reaches
    the citizen's subscription on `subscriber_url` (through the shared event log)."""
    gateway = Gateway(sender_url)
    try:
        made = submitted(gateway, sandbox, "replicas", skip=18)
    finally:
        gateway.http.close()
    assert made.callback_url.startswith(sender_url + "/hooks/fitconnect/")
    client = LiveClient(subscriber_url, made.token)
    try:
        client.subscribe(
            "subscription($id: ID) { applicationStatusChanged(applicationId: $id) { applicationId source } }",
            {"id": made.application["id"]},
        )
        # Following lists the viewer's applications upstream and records the case's route
        # in the journal (~0.9 s on a loaded machine): a callback before that finds nobody.
        time.sleep(1.5)
        advance_case(sandbox, made.case)  # FIT-Connect calls the sender back
        event = client.wait_for(
            lambda p: p["data"]["applicationStatusChanged"]["source"] == "FIT_CONNECT", timeout=10
        )
        assert event["data"]["applicationStatusChanged"]["applicationId"] == made.application["id"]
    finally:
        client.close()


def test_the_sandbox_network_keeps_its_callback_url_settable() -> None:
    network = SandboxNetwork()
    assert network.callbacks.url is None
    network.callbacks.url = "http://127.0.0.1:1"
    assert network.callbacks.url.endswith(":1")
