"""FIT-Connect callbacks in e2e tests, as on the version 2 topology.

A submission made through a gateway whose `callback_base_url` is set carries `callback
{url, secret}` with a fresh secret; the sandbox's FIT-Connect keeps both and calls back
there on each new event, signed with that secret. So a test that wants callbacks submits
through the gateway (`submitted`) and moves the case on (`advance_case`); the sandbox
sends the callback. A test that plays the sender itself (replays, forgeries, a retrying
sender during an outage) signs with the secret FIT-Connect received (`Submitted.secret`)
or a wrong one (`post_callback`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.case_model import Application
from sandbox.destination import destination_id
from tests.conftest import Gateway, Sandbox
from tests.helpers.submitting import citizen_token, fresh_citizen, submit

NEW_EVENTS = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events"


@dataclass(frozen=True, slots=True)
class Submitted:
    """A submission made through the gateway, and what FIT-Connect (the sandbox) holds of it."""

    token: str  # the submitting citizen's sign-in
    application: dict[str, Any]  # the gateway's answer: id, caseId, portal { id }, ...
    case: Application  # the sandbox's record of the case
    callback: tuple[str, str]  # (url, secret) of create-submission, as FIT-Connect got them

    @property
    def portal(self) -> str:
        return self.case.portal_id

    @property
    def callback_url(self) -> str:
        return self.callback[0]

    @property
    def secret(self) -> str:
        """The per-submission secret FIT-Connect received on create-submission."""
        return self.callback[1]

    def take_over(self) -> Submitted:
        """From now on the test alone sends this case's callbacks (e.g. a sender that
        retries through an outage): the sandbox's FIT-Connect sends none for it."""
        self.case.callback = None
        return self

    def new_events(self) -> bytes:
        """The body FIT-Connect sends for this submission (Submission API 1.1.3)."""
        entry = {
            "destinationId": destination_id(self.case.portal_id),
            "submissionId": self.case.submission_id,
            "caseId": self.case.case_id,
        }
        return json.dumps({"type": NEW_EVENTS, "submissions": [entry]}).encode()


def submitted(
    gateway: Gateway, sandbox: Sandbox, key: str, *, skip: int, portal: str = "koeln"
) -> Submitted:
    """A fresh seeded citizen (`fresh_citizen(skip=)`) submits through the gateway."""
    token = citizen_token(sandbox, fresh_citizen(sandbox, portal, skip=skip))
    return submitted_by(gateway, sandbox, token, key)


def submitted_by(gateway: Gateway, sandbox: Sandbox, token: str, key: str) -> Submitted:
    """The viewer of `token` submits (a passport application in Köln) through the gateway.

    Returns once FIT-Connect's callback for the submit event was answered 200, so that a
    subscription started afterwards sees only the events the test causes."""
    callbacks = sandbox.network.callbacks
    sent, failed = callbacks.sent, callbacks.failed
    result = submit(gateway, token, f"{key}-{time.time_ns()}")
    assert result["__typename"] == "ApplicationSubmitted", result
    store = sandbox.network.cases
    case = store.case(result["caseId"]) if store is not None else None
    assert case is not None
    assert case.callback is not None, "the gateway announced no callback (callback_base_url)"
    wait_for_callback(sandbox, sent, failed)
    return Submitted(token, result["application"], case, case.callback)


def advance_case(sandbox: Sandbox, case: Application, outcome: str | None = None) -> None:
    """Moves the case on in FIT-Connect (the next event); its callback follows."""
    url = sandbox.url(case.portal_id, "status") + f"/_sandbox/cases/{case.case_id}/advance"
    params = {"outcome": outcome} if outcome else None
    sandbox.http.post(url, params=params).raise_for_status()


def signed(secret: str, body: bytes, at: int | None = None) -> dict[str, str]:
    """FIT-Connect's callback headers: hex HMAC-SHA512 over "{timestamp}.{body}"."""
    timestamp = str(int(time.time()) if at is None else at)
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha512)
    return {
        "content-type": "application/json",
        "callback-timestamp": timestamp,
        "callback-authentication": mac.hexdigest(),
    }


def post_callback(
    url: str, portal: str, body: bytes, secret: str, *, at: int | None = None
) -> httpx.Response:
    """A callback to the gateway at `url`, as the test (playing FIT-Connect) signs it."""
    with httpx.Client(trust_env=False, timeout=10) as http:
        return http.post(
            f"{url}/hooks/fitconnect/{portal}", content=body, headers=signed(secret, body, at)
        )


def wait_for_callback(sandbox: Sandbox, sent: int, failed: int, seconds: float = 15) -> None:
    """Until the sandbox's sender counts one more delivered callback (none failed)."""
    callbacks = sandbox.network.callbacks
    deadline = time.monotonic() + seconds
    while callbacks.sent == sent and callbacks.failed == failed:
        assert time.monotonic() < deadline, "no callback delivered"
        time.sleep(0.05)
    assert (callbacks.sent > sent, callbacks.failed) == (True, failed)
