"""Automatic persisted queries for subscriptions over graphql-transport-ws (issue 21).

Before, a subscription's document sent with its hash was registered only when the
operation ended (the APQ extension registered on its way out), so for as long as the
subscription ran a second client sending the hash alone got PERSISTED_QUERY_NOT_FOUND;
over a socket Strawberry dropped the message's `extensions` altogether, and a subscribe
without a query text closed the socket (4400). Now the document is registered when the
operation is accepted (graph/extensions/documents.py), and the socket's extensions reach
the schema (graph/http/websockets.py, ws_operations.py).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tests.conftest import Gateway, Sandbox
from tests.helpers.citizen_links import learn_links
from tests.helpers.live import LiveClient

# A name of its own: no other test registers this document in the session's gateway.
INBOX = "subscription WsApqInbox { inboxMessageReceived { subject } }"
DIGEST = hashlib.sha256(INBOX.encode()).hexdigest()
BY_HASH = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": DIGEST}}}


def subscribe(client: LiveClient, op_id: str, payload: dict[str, Any]) -> None:
    client.send({"id": op_id, "type": "subscribe", "payload": payload})


def refusal_code(client: LiveClient, within: float) -> str | None:
    """The error code of the operation's refusal, or None when it runs (no answer yet)."""
    try:
        message = client.receive(within)
    except TimeoutError:
        return None
    assert message["type"] == "error", message
    code: str = message["payload"][0]["extensions"]["code"]
    return code


def accepted_by_hash(client: LiveClient, seconds: float) -> str | None:
    """Subscribe by hash alone until an attempt is not refused: that attempt's id."""
    deadline = time.monotonic() + seconds
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        subscribe(client, f"hash-{attempt}", BY_HASH)
        if refusal_code(client, 0.5) is None:
            return f"hash-{attempt}"
        time.sleep(0.1)
    return None


def test_a_running_subscriptions_document_is_known_by_its_hash(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    lena = clean_sandbox.demo_token("lena")
    learn_links(gateway, lena, ("koeln",))
    first, second = LiveClient(gateway.url, lena), LiveClient(gateway.url, lena)
    try:
        subscribe(second, "early", BY_HASH)
        assert refusal_code(second, 5) == "PERSISTED_QUERY_NOT_FOUND"
        subscribe(first, "1", {"query": INBOX, **BY_HASH})
        assert accepted_by_hash(second, 5) is not None, "the hash stayed unknown"
        time.sleep(0.5)  # both followed
        url = clean_sandbox.url("koeln", "inbox") + "/_sandbox/messages"
        clean_sandbox.http.post(url, json={"login": "lena", "title": "Per Hash"}).raise_for_status()
        for client in (first, second):
            event = client.wait_for(lambda p: "inboxMessageReceived" in p["data"], timeout=15)
            assert event["data"]["inboxMessageReceived"]["subject"] == "Per Hash"
    finally:
        first.close()
        second.close()


def test_a_subscribe_without_query_or_hash_still_closes_with_4400(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    client = LiveClient(gateway.url, clean_sandbox.demo_token("lena"))
    try:
        subscribe(client, "1", {"extensions": {"other": 1}})
        assert client.close_code(5) == 4400
    finally:
        client.close()
