"""Resuming live updates (issue 19): `eventId` on every event, `after:` over WebSocket,
`Last-Event-ID` over SSE, and a typed error for a position the log cannot serve."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Gateway, Sandbox
from tests.e2e.test_live import send_message
from tests.helpers.live import LiveClient

INBOX = """subscription($after: ID) { inboxMessageReceived(after: $after) {
  eventId messageId subject } }"""


def subjects(payloads: list[dict[str, Any]]) -> list[str]:
    return [p["data"]["inboxMessageReceived"]["subject"] for p in payloads]


def wait_for_subject(client: LiveClient, subject: str) -> dict[str, Any]:
    event = client.wait_for(
        lambda p: p["data"]["inboxMessageReceived"]["subject"] == subject, timeout=10
    )
    found: dict[str, Any] = event["data"]["inboxMessageReceived"]
    return found


@pytest.fixture
def keeper(gateway: Gateway, clean_sandbox: Sandbox) -> Iterator[LiveClient]:
    """A second subscription of the viewer: keeps the mailbox watched while the first is away."""
    client = LiveClient(gateway.url, clean_sandbox.demo_token("lena"))
    client.subscribe(INBOX)
    time.sleep(0.8)
    yield client
    client.close()


def test_a_client_resumes_after_its_last_event_id_and_gets_each_missed_event_once(
    gateway: Gateway, clean_sandbox: Sandbox, keeper: LiveClient
) -> None:
    token = clean_sandbox.demo_token("lena")
    first = LiveClient(gateway.url, token)
    try:
        first.subscribe(INBOX)
        time.sleep(0.8)
        send_message(clean_sandbox, "lena", "koeln", "Vor der Trennung")
        last = wait_for_subject(first, "Vor der Trennung")
    finally:
        first.close()
    # Away: two messages arrive (the keeper's watch logs them).
    for title in ("Verpasst 1", "Verpasst 2"):
        send_message(clean_sandbox, "lena", "koeln", title)
        wait_for_subject(keeper, title)
    again = LiveClient(gateway.url, token)
    try:
        again.subscribe(INBOX, {"after": last["eventId"]})
        missed = [wait_for_subject(again, "Verpasst 1"), wait_for_subject(again, "Verpasst 2")]
        assert missed[0]["eventId"] > last["eventId"]
        assert missed[1]["eventId"] > missed[0]["eventId"]
        time.sleep(0.5)
        send_message(clean_sandbox, "lena", "koeln", "Wieder live")
        wait_for_subject(again, "Wieder live")
        # Nothing twice, nothing from before the position.
        assert subjects(again.events(timeout=1.0)) == []
    finally:
        again.close()


def sse_events(response: httpx.Response, wanted: int, seconds: float) -> list[tuple[str, Any]]:
    """(SSE id, payload) of the next `wanted` events on an open SSE stream."""
    found: list[tuple[str, Any]] = []
    event_id = ""
    deadline = time.monotonic() + seconds
    for line in response.iter_lines():
        if line.startswith("id:"):
            event_id = line.removeprefix("id:").strip()
        elif line.startswith("data:") and "inboxMessageReceived" in line:
            found.append((event_id, json.loads(line.removeprefix("data:"))))
            if len(found) == wanted:
                return found
        assert time.monotonic() < deadline, f"only {len(found)} SSE events in {seconds} s"
    return found


def test_sse_carries_the_event_id_and_resumes_from_last_event_id(
    gateway: Gateway, clean_sandbox: Sandbox, keeper: LiveClient
) -> None:
    token = clean_sandbox.demo_token("lena")
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    body = {"query": INBOX}
    with httpx.Client(base_url=gateway.url, timeout=15) as client:
        with client.stream("POST", "/graphql", json=body, headers=headers) as response:
            time.sleep(0.8)
            send_message(clean_sandbox, "lena", "koeln", "SSE eins")
            [(sse_id, payload)] = sse_events(response, 1, 20)
        assert sse_id == payload["data"]["inboxMessageReceived"]["eventId"]
        send_message(clean_sandbox, "lena", "koeln", "SSE verpasst")
        wait_for_subject(keeper, "SSE verpasst")
        resumed = {**headers, "Last-Event-ID": sse_id}
        with client.stream("POST", "/graphql", json=body, headers=resumed) as response:
            [(next_id, payload)] = sse_events(response, 1, 20)
        assert payload["data"]["inboxMessageReceived"]["subject"] == "SSE verpasst"
        assert next_id > sse_id


def first_error(gateway: Gateway, token: str, after: str) -> dict[str, Any]:
    client = LiveClient(gateway.url, token)
    try:
        client.subscribe(INBOX, {"after": after})
        message = client.receive(10)
    finally:
        client.close()
    # Raised inside the subscription: a `next` result carrying the error, then `complete`.
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    error: dict[str, Any] = message["payload"]["errors"][0]
    return error


def test_a_position_the_log_cannot_serve_is_a_typed_error(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = clean_sandbox.demo_token("lena")
    garbage = first_error(gateway, token, "not-a-position")
    assert garbage["extensions"]["code"] == "EVENT_POSITION_INVALID"
    assert garbage["extensions"]["reason"] == "INVALID"
    # A well-formed position of an earlier process: what came after it is gone.
    expired = first_error(gateway, token, "0000000000001-0000000000000001")
    assert expired["extensions"]["code"] == "EVENT_POSITION_INVALID"
    assert expired["extensions"]["reason"] == "EXPIRED"
    assert expired["extensions"]["resumableSeconds"] == 86_400
    assert "24 hours" in expired["message"]
