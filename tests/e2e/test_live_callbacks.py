"""FIT-Connect callbacks into live updates, as on the version 2 topology.

The shared gateway announces `callback {url, secret}` with each submission; the sandbox's
FIT-Connect calls back with that submission's secret when the case moves on
(tests/helpers/callbacks.py). Tests about forged, stale, malformed or replayed callbacks
sign by hand, with the submission's secret or a wrong one.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Gateway, Sandbox
from tests.e2e.test_live import STATUS, assert_carries_the_application_now
from tests.helpers.callbacks import (
    Submitted,
    advance_case,
    post_callback as post_signed,
    submitted,
    wait_for_callback,
)
from tests.helpers.live import LiveClient

# fresh_citizen's skips 11-14 are this module's (test_docs_snippets has 10).
CITIZENS = itertools.count(11)
# Seconds for a new subscription's case routes to be written: in the background, one at
# a time into the journal (graph/domain/live.py), ~0.9 s on a loaded machine (as
# test_live_limits); a callback before that finds no viewer and publishes nothing.
ROUTED = 1.5


@pytest.fixture
def advanceable(gateway: Gateway, clean_sandbox: Sandbox) -> Iterator[tuple[LiveClient, Submitted]]:
    """A fresh submission through the gateway (its submit event already called back) and
    its citizen's live client: the case's next step is a FIT-Connect event and a callback."""
    # A citizen of its own per test: no other test's late event reaches this viewer.
    made = submitted(gateway, clean_sandbox, "live", skip=next(CITIZENS))
    client = LiveClient(gateway.url, made.token)
    yield client, made
    client.close()


def test_a_status_change_arrives_through_a_signed_callback(
    clean_sandbox: Sandbox, advanceable: tuple[LiveClient, Submitted]
) -> None:
    live, made = advanceable
    app = made.application
    live.subscribe(STATUS)
    time.sleep(ROUTED)  # the subscription follows the viewer's cases before events can route
    callbacks = clean_sandbox.network.callbacks
    sent, failed = callbacks.sent, callbacks.failed
    advance_case(clean_sandbox, made.case)
    event = live.wait_for(
        lambda p: p["data"]["applicationStatusChanged"]["source"] == "FIT_CONNECT", timeout=10
    )["data"]["applicationStatusChanged"]
    assert event["applicationId"] == app["id"]
    assert event["reportedStatus"] in ("SUBMITTED", "RECEIVED")
    assert_carries_the_application_now(event, app)
    assert event["serviceName"] == app["serviceName"]
    assert event["portal"]["id"] == app["portal"]["id"] == "koeln"
    # It came through the hook: the sandbox counts a callback once the gateway's 200 is read.
    wait_for_callback(clean_sandbox, sent, failed, seconds=2)


def post_callback(
    gateway: Gateway,
    made: Submitted,
    body: bytes | None = None,
    *,
    secret: str | None = None,
    at: int | None = None,
    portal: str | None = None,
) -> httpx.Response:
    """The test as FIT-Connect: `made`'s callback (or `body`), signed with its secret."""
    return post_signed(
        gateway.url,
        portal or made.portal,
        made.new_events() if body is None else body,
        made.secret if secret is None else secret,
        at=at,
    )


def test_callbacks_are_authenticated_fresh_and_well_formed(
    gateway: Gateway, advanceable: tuple[LiveClient, Submitted]
) -> None:
    _, made = advanceable
    assert post_callback(gateway, made).status_code == 200
    assert post_callback(gateway, made, secret="forged-secret-" + "x" * 32).status_code == 401
    assert post_callback(gateway, made, at=int(time.time()) - 301).status_code == 401
    assert post_callback(gateway, made, at=int(time.time()) + 120).status_code == 401
    assert post_callback(gateway, made, portal="nowhere").status_code == 404
    # Its secret opens no other submission: the submission named decides the secret.
    other = made.new_events().replace(made.case.submission_id.encode(), str(uuid.uuid4()).encode())
    assert post_callback(gateway, made, other).status_code == 401
    assert post_callback(gateway, made, b'{"submissions": "nope"}').status_code == 400
    not_a_uuid = made.new_events().replace(made.case.case_id.encode(), b"d")
    assert post_callback(gateway, made, not_a_uuid).status_code == 400
    assert post_callback(gateway, made, b"not json").status_code == 400
    unsigned = gateway.http.post("/hooks/fitconnect/koeln", content=made.new_events())
    assert unsigned.status_code == 401


def test_a_replayed_callback_is_delivered_once(
    gateway: Gateway, clean_sandbox: Sandbox, advanceable: tuple[LiveClient, Submitted]
) -> None:
    live, made = advanceable
    live.subscribe(STATUS, {"id": made.application["id"]})
    time.sleep(ROUTED)
    advance_case(clean_sandbox, made.case)  # FIT-Connect calls back once
    live.wait_for(
        lambda p: p["data"]["applicationStatusChanged"]["source"] == "FIT_CONNECT", timeout=10
    )
    for _ in range(3):
        # The same callback again, as a sender that missed the 200 would resend it. Answered
        # 200: the event is in the log (stored once; a repeat gets its position).
        answer = post_callback(gateway, made)
        assert answer.status_code == 200, answer.text
        assert answer.json()["published"] <= 1
    replays = [
        p
        for p in live.events(timeout=1)
        if p["data"]["applicationStatusChanged"]["source"] == "FIT_CONNECT"
    ]
    assert replays == []


def test_an_event_whose_signature_fails_is_never_published(
    clean_sandbox: Sandbox, advanceable: tuple[LiveClient, Submitted]
) -> None:
    live, made = advanceable
    live.subscribe(STATUS, {"id": made.application["id"]})
    time.sleep(ROUTED)
    # First an intact step arrives: the case is followed and its callbacks do publish.
    advance_case(clean_sandbox, made.case)
    live.wait_for(
        lambda p: p["data"]["applicationStatusChanged"]["source"] == "FIT_CONNECT", timeout=10
    )
    tamper = clean_sandbox.url(made.portal, "status") + "/_sandbox/tamper"
    clean_sandbox.http.put(tamper, json={"caseIds": [made.case.case_id]}).raise_for_status()
    callbacks = clean_sandbox.network.callbacks
    sent, failed = callbacks.sent, callbacks.failed
    try:
        advance_case(clean_sandbox, made.case)  # the next SET's signature is broken
        wait_for_callback(clean_sandbox, sent, failed)  # the hook was reached and answered
        seen = live.events(timeout=2)
    finally:
        clean_sandbox.http.delete(tamper)
    assert all(p["data"]["applicationStatusChanged"]["source"] != "FIT_CONNECT" for p in seen)
