"""Per-submission callbacks end to end: the gateway announces `callback {url, secret}` on
create (the secret its journal keeps), FIT-Connect (the sandbox) signs that submission's
new-events callbacks with it, and the gateway's hook accepts them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer, free_port
from sandbox.destination import destination_id
from tests.conftest import Gateway, Sandbox
from tests.helpers.submitting import PDF, citizen_token, fresh_citizen, submit


@pytest.fixture
def announcing_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, tmp_path: Path
) -> Iterator[Gateway]:
    """A gateway whose submissions carry its own hook as their callback URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = gateway_settings.override(callback_base_url=url, data_dir=str(tmp_path))
    server = UvicornServer(create_app(settings), port=port)
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


def signed(secret: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha512)
    return {
        "content-type": "application/json",
        "callback-timestamp": timestamp,
        "callback-authentication": mac.hexdigest(),
    }


def test_a_submission_announces_its_own_callback_and_its_events_are_accepted(
    announcing_gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = citizen_token(clean_sandbox, fresh_citizen(clean_sandbox, "koeln"))
    result = submit(announcing_gateway, token, "cb-1", files=[("a.pdf", PDF, "application/pdf")])
    assert result["__typename"] == "ApplicationSubmitted", result
    store = clean_sandbox.network.cases
    assert store is not None
    app = store.case(result["caseId"])
    assert app is not None
    assert app.callback is not None
    url, secret = app.callback
    assert url == f"{announcing_gateway.url}/hooks/fitconnect/koeln"
    assert 32 <= len(secret) <= 512

    callbacks = clean_sandbox.network.callbacks
    sent, failed = callbacks.sent, callbacks.failed
    clean_sandbox.http.post(
        clean_sandbox.url("koeln", "status") + f"/_sandbox/cases/{result['caseId']}/advance"
    ).raise_for_status()
    deadline = time.monotonic() + 15
    while callbacks.sent == sent and callbacks.failed == failed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (callbacks.sent > sent, callbacks.failed) == (True, failed)

    # The same body signed with a wrong secret is refused: the journal's secret decided.
    body = json.dumps(
        {
            "type": "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events",
            "submissions": [
                {
                    "destinationId": destination_id(app.portal_id),
                    "submissionId": app.submission_id,
                    "caseId": app.case_id,
                }
            ],
        }
    ).encode()
    hook, http = "/hooks/fitconnect/koeln", announcing_gateway.http
    forged = http.post(hook, content=body, headers=signed("x" * 43, body))
    assert forged.status_code == 401
    genuine = http.post(hook, content=body, headers=signed(secret, body))
    assert genuine.status_code == 200, genuine.text
