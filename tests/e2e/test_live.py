"""Live updates end to end: pollers, WebSocket and SSE delivery, isolation.

FIT-Connect callbacks: tests/e2e/test_live_callbacks.py."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Gateway, Sandbox
from tests.helpers.citizen_links import learn_links
from tests.helpers.live import LiveClient

STATUS = """subscription($id: ID) { applicationStatusChanged(applicationId: $id) {
  applicationId serviceName status reportedStatus source time detail portal { id } missedEvents
  application { id status statusHistory { status source } } } }"""
PAYMENT = """subscription { paymentStatusChanged { paymentId applicationId status amount { cents }
  payment { id status } application { id payments { id status } } } }"""
INBOX = """subscription { inboxMessageReceived { messageId subject sender locked requiredTrustLevel
  portal { id } message { id subject locked body } } }"""


def assert_carries_the_application_now(event: dict[str, Any], app: dict[str, Any]) -> None:
    """The event's application is the normalisable object, in its current state."""
    application = event["application"]
    assert application["id"] == event["applicationId"] == app["id"]
    assert event["status"] == application["status"] == application["statusHistory"][-1]["status"]


APPS = "{ me { applications(first: 100) { edges { node { id applicationId caseId status portal { id } } } } } }"


def applications(gateway: Gateway, token: str) -> list[dict[str, Any]]:
    body = gateway.query(APPS, token=token)
    return [e["node"] for e in body["data"]["me"]["applications"]["edges"]]


def advance(sandbox: Sandbox, app: dict[str, Any]) -> httpx.Response:
    url = sandbox.url(app["portal"]["id"], "status")
    return sandbox.http.post(f"{url}/_sandbox/applications/{app['applicationId']}/advance")


@pytest.fixture
def lena(gateway: Gateway, clean_sandbox: Sandbox) -> str:
    token = clean_sandbox.demo_token("lena")
    learn_links(gateway, token, ("bund", "nrw", "koeln"))  # where Lena has accounts
    clean_sandbox.reset_stats()
    return token


@pytest.fixture
def live(gateway: Gateway, lena: str) -> Iterator[LiveClient]:
    client = LiveClient(gateway.url, lena)
    yield client
    client.close()


def test_statusmonitor_updates_arrive_through_the_poller(
    gateway: Gateway, clean_sandbox: Sandbox, lena: str, live: LiveClient
) -> None:
    app = next(
        a for a in applications(gateway, lena) if a["status"] not in ("COMPLETED", "REJECTED")
    )
    live.subscribe(STATUS, {"id": app["id"]})
    time.sleep(0.5)
    assert advance(clean_sandbox, app).status_code == 200
    event = live.wait_for(
        lambda p: p["data"]["applicationStatusChanged"]["source"] == "STATUS_MONITOR", timeout=10
    )["data"]["applicationStatusChanged"]
    assert event["applicationId"] == app["id"]
    assert_carries_the_application_now(event, app)
    # The event's state is what a query now answers: a cache updated from it is current.
    now = next(a for a in applications(gateway, lena) if a["id"] == app["id"])
    assert now["status"] == event["status"]


def test_only_the_viewers_own_events_are_delivered(
    gateway: Gateway, clean_sandbox: Sandbox, lena: str, live: LiveClient
) -> None:
    erika = LiveClient(gateway.url, clean_sandbox.demo_token("erika"))
    try:
        erika.subscribe(STATUS)
        live.subscribe(STATUS)
        time.sleep(0.5)
        for app in applications(gateway, lena)[:3]:
            advance(clean_sandbox, app)
        assert live.events(timeout=3), "lena sees her own events"
        assert erika.events(timeout=0.5) == [], "erika sees none of lena's"
    finally:
        erika.close()


def test_a_new_message_arrives_and_is_locked_for_a_weak_sign_in(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    client = LiveClient(gateway.url, clean_sandbox.demo_token("max"))
    try:
        client.subscribe(INBOX)
        time.sleep(0.5)
        body = {"login": "max", "title": "Ihr Bescheid", "level": 3, "sender": "Stadt Dormagen"}
        # Dormagen writes into the one BundID Postfach (portal `bund`), where Max reads it.
        url = clean_sandbox.url("bund", "inbox") + "/_sandbox/messages"
        clean_sandbox.http.post(url, json=body).raise_for_status()
        event = client.wait_for(lambda p: True, timeout=10)["data"]["inboxMessageReceived"]
        assert event["subject"] == "Ihr Bescheid"
        assert (event["sender"], event["portal"]["id"]) == ("Stadt Dormagen", "bund")
        assert event["locked"] is True
        assert event["requiredTrustLevel"] == "SUBSTANTIAL"
        message = event["message"]
        assert message["id"] == event["messageId"]
        assert (message["subject"], message["locked"], message["body"]) == (
            "Ihr Bescheid",
            True,
            None,
        )
    finally:
        client.close()


def test_a_paid_payment_arrives(
    gateway: Gateway, clean_sandbox: Sandbox, lena: str, live: LiveClient
) -> None:
    # Köln's tenant is at epay21 (HTTP Basic, plain HTTP pay page); not the first in the
    # list, whose order moves as other tests advance Lena's cases.
    app = next(a for a in applications(gateway, lena) if a["portal"]["id"] == "koeln")
    start = """mutation($i: StartPaymentInput!) { startPayment(input: $i) {
      ... on PaymentStarted { redirectUrl payment { id } } ... on PaymentRejected { code } } }"""
    request_id = f"live-{app['applicationId'][:12]}-{int(time.time())}"
    data = {
        "applicationId": app["id"],
        "requestId": request_id,
        "items": [{"description": "Gebühr", "amountCents": 1250}],
        "totalCents": 1250,
    }
    started = gateway.query(start, {"i": data}, token=lena)["data"]["startPayment"]
    live.subscribe(PAYMENT)
    time.sleep(0.8)  # a fresh subscription takes the payment's current status as its baseline
    assert clean_sandbox.http.post(started["redirectUrl"] + "/pay").status_code == 303
    event = live.wait_for(lambda p: True, timeout=10)["data"]["paymentStatusChanged"]
    assert event["paymentId"] == started["payment"]["id"]
    assert event["status"] == "PAYED"
    assert event["amount"]["cents"] == 1250
    assert event["payment"] == {"id": started["payment"]["id"], "status": "PAYED"}
    assert event["application"]["id"] == app["id"]
    assert {"id": started["payment"]["id"], "status": "PAYED"} in event["application"]["payments"]


def send_message(sandbox: Sandbox, login: str, portal: str, title: str) -> None:
    url = sandbox.url(portal, "inbox") + "/_sandbox/messages"
    sandbox.http.post(url, json={"login": login, "title": title}).raise_for_status()


@contextlib.contextmanager
def sse_inbox(gateway: Gateway, token: str) -> Iterator[httpx.Response]:
    """The viewer's inbox subscription over SSE, open while the block runs."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    with (
        httpx.Client(base_url=gateway.url, timeout=15) as client,
        client.stream("POST", "/graphql", json={"query": INBOX}, headers=headers) as response,
    ):
        assert response.status_code == 200
        yield response


def test_sse_clients_receive_events(gateway: Gateway, clean_sandbox: Sandbox, lena: str) -> None:
    with sse_inbox(gateway, lena) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        time.sleep(0.5)
        send_message(clean_sandbox, "lena", "koeln", "Per SSE zugestellt")
        # Keep-alive pings keep the stream readable: bound the wait, or a lost event hangs.
        deadline = time.monotonic() + 20
        for line in response.iter_lines():
            if line.startswith("data:") and "inboxMessageReceived" in line:
                payload = json.loads(line.removeprefix("data:"))
                assert payload["data"]["inboxMessageReceived"]["subject"] == "Per SSE zugestellt"
                break
            assert time.monotonic() < deadline, "no event within 20 s"


def test_a_closed_sse_client_is_let_go(gateway: Gateway, clean_sandbox: Sandbox, lena: str) -> None:
    # Before: Starlette cancels a left SSE stream in a scope that cancels every later await,
    # so the subscription's unfollow never ran and Lena's Postfach stayed polled for good.
    with sse_inbox(gateway, lena):
        time.sleep(1.0)  # followed: the Postfach is polled every 0.3 s
        assert clean_sandbox.calls("bund", "inbox").get("GET /v1/messages", 0) >= 2
    time.sleep(0.5)  # the server notices the closed connection
    clean_sandbox.reset_stats()
    time.sleep(1.0)  # three poll intervals
    assert clean_sandbox.calls("bund", "inbox") == {}


def test_the_legacy_graphql_ws_protocol_works(
    gateway: Gateway, clean_sandbox: Sandbox, lena: str
) -> None:
    client = LiveClient(gateway.url, lena, protocol="graphql-ws")
    try:
        client.subscribe(INBOX)
        time.sleep(0.5)
        send_message(clean_sandbox, "lena", "nrw", "Über graphql-ws")
        payload = client.wait_for(lambda p: True, timeout=10)
        assert payload["data"]["inboxMessageReceived"]["subject"] == "Über graphql-ws"
    finally:
        client.close()


def test_anonymous_subscriptions_are_refused(gateway: Gateway) -> None:
    client = LiveClient(gateway.url, None)
    try:
        client.subscribe(STATUS)
        message = client.receive(5)
        assert message["type"] in ("error", "next")
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        client.close()
