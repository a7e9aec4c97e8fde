"""FIT-Connect over real HTTP: destination-signed accept/reject reach the application's status.

The sandbox's destinations sign the events the receiving authority writes with their own
keys (`iss` = the destination UUID, upper case in reject events); the gateway verifies them
with `/v1/destinations/{iss}/keys/{kid}` for the case's destination and shows them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.testing import LoopThread, free_port
from sandbox.destination import destination_id
from sandbox.topology_document import FITCONNECT_CLIENT_ID, SECRETS
from sources._jwe import encrypt_compact, encryption_key
from sources.base import FormRecord
from sources.submission import metadata
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_live import applications
from tests.helpers.citizen_links import learn_links

HISTORY = """query($id: ID!) { node(id: $id) { ... on Application {
  status statusHistory { status source detail } } } }"""


def fresh(gateway: Gateway, sandbox: Sandbox, login: str) -> dict[str, Any]:
    url = sandbox.url("koeln", "status") + "/_sandbox/applications"
    created = sandbox.http.post(url, json={"login": login}).json()
    learn_links(gateway, sandbox.demo_token(login), ("koeln",))  # the gateway asks it then
    found = applications(gateway, sandbox.demo_token(login))
    return next(a for a in found if a["applicationId"] == created["applicationId"])


def advance(sandbox: Sandbox, app: dict[str, Any], outcome: str | None = None) -> Any:
    url = sandbox.url("koeln", "status") + f"/_sandbox/cases/{app['caseId']}/advance"
    response = sandbox.http.post(url, params={"outcome": outcome} if outcome else None)
    assert response.status_code == 200, response.text
    return response.json()


def history(gateway: Gateway, token: str, app: dict[str, Any]) -> dict[str, Any]:
    body = gateway.query(HISTORY, {"id": app["id"]}, token=token)
    assert "errors" not in body, body
    node: dict[str, Any] = body["data"]["node"]
    return node


def fit_connect(node: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["status"], e["detail"]) for e in node["statusHistory"] if e["source"] == "FIT_CONNECT"
    ]


def test_an_application_accepted_by_its_destination(gateway: Gateway, sandbox: Sandbox) -> None:
    token = sandbox.demo_token("lena")
    app = fresh(gateway, sandbox, "lena")
    advance(sandbox, app)  # notify-submission (the Zustelldienst)
    assert advance(sandbox, app)["event"].endswith("/accept-submission")  # the destination
    node = history(gateway, token, app)
    # Accepted is RECEIVED in the schema (eingegangen); the authority's Statusmonitor in
    # the Postfach may already say PROCESSING (the sandbox writes that with the accept).
    assert node["status"] in ("RECEIVED", "PROCESSING"), node
    assert fit_connect(node)[-1] == ("RECEIVED", "Antrag von der Behörde angenommen")
    assert len(fit_connect(node)) == 4  # create, submit, notify, accept: none dropped


def test_an_application_rejected_by_its_destination(gateway: Gateway, sandbox: Sandbox) -> None:
    token = sandbox.demo_token("lena")
    app = fresh(gateway, sandbox, "lena")
    advance(sandbox, app)
    assert advance(sandbox, app, "reject")["event"].endswith("/reject-submission")
    node = history(gateway, token, app)
    assert node["status"] == "REJECTED"
    status, detail = fit_connect(node)[-1]
    assert status == "REJECTED"
    assert detail.startswith("Antrag von der Behörde zurückgewiesen: ")


def test_accept_signed_by_the_wrong_destination_key_is_not_shown(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    token = sandbox.demo_token("lena")
    app = fresh(gateway, sandbox, "lena")
    advance(sandbox, app)
    advance(sandbox, app)
    url = sandbox.url("koeln", "status") + "/_sandbox/tamper"
    sandbox.http.put(url, json={"caseIds": [app["caseId"]]}).raise_for_status()
    try:
        node = history(gateway, token, app)
    finally:
        sandbox.http.delete(url).raise_for_status()
    assert [s for s, _ in fit_connect(node)] == ["INITIATED", "SUBMITTED", "SUBMITTED"]


def submit_encrypted(
    sandbox: Sandbox, api: str, headers: dict[str, str], submission_id: str, login: str
) -> None:
    """PUT the submission: metadata naming the citizen's Postfach and the form, encrypted to
    the destination's key with the adapter's own JWE."""
    destination = sandbox.http.get(f"{api}/v1/destinations/{destination_id('koeln')}").json()
    jwk = sandbox.http.get(
        f"{api}/v1/destinations/{destination_id('koeln')}/keys/{destination['encryptionKid']}"
    ).json()
    key = encryption_key(jwk)
    store = sandbox.network.cases
    assert store is not None
    handle = next(c for c in store.citizens.values() if c.login == login).legacy_postkorb_handle
    form = FormRecord("99085001012000", "Reisepass", b"{}", "urn:schema", handle)
    body = {
        "encryptedMetadata": encrypt_compact(
            metadata(form, [], tuple(destination["replyChannels"])), key, "application/json"
        ),
        "encryptedData": encrypt_compact(form.data, key, "application/json"),
    }
    response = sandbox.http.put(f"{api}/v1/submissions/{submission_id}", json=body, headers=headers)
    assert response.status_code == 202, response.text


class Receiver:
    """A callback endpoint on loopback that records what FIT-Connect posts to it."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Event()

        async def hook(request: Request) -> JSONResponse:
            self.received.append((dict(request.headers), await request.body()))
            self.arrived.set()
            return JSONResponse({})

        self.app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture
def receiver(loop_thread: LoopThread) -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    # A plain uvicorn server: graph.testing's would, on stopping, drain every gateway of
    # the process (this app has no view of its own), the shared one included.
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(receiver.app, port=port, log_level="warning"))

    async def start() -> asyncio.Task[None]:
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await asyncio.sleep(0.01)
        return task

    task = loop_thread.call(start())
    yield receiver, f"http://127.0.0.1:{port}/hook"
    server.should_exit = True

    async def stop() -> None:
        await task

    loop_thread.call(stop())


def test_a_per_submission_callback_is_signed_with_its_own_secret(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    """create-submission with `callback {url, secret}`: new events are announced there,
    HMAC-SHA512 over "{timestamp}.{body}" with that secret, not the portal's."""
    hook, url = receiver
    secret = "per-submission-secret-" + "x" * 20
    api = sandbox.url("koeln", "submissions")
    destination = destination_id("koeln")
    token = sandbox.http.post(  # FIT-Connect's own token endpoint, as a sender registered
        sandbox.url("fitconnect") + "/token",  # in the Self-Service-Portal
        data={
            "grant_type": "client_credentials",
            "client_id": FITCONNECT_CLIENT_ID,
            "client_secret": SECRETS["FITCONNECT_CLIENT_SECRET"],
            "scope": "send:region:DE05",
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    create = {
        "destinationId": destination,
        "announcedAttachments": [],
        "serviceType": {
            "name": "Reisepass",
            "identifier": "urn:de:fim:leika:leistung:99085001012000",
        },
        "callback": {"url": url, "secret": secret},
    }
    bad = sandbox.http.post(
        api + "/v1/submissions", json=create | {"callback": {"url": url, "secret": "short"}},
        headers=headers,
    )  # fmt: skip
    assert bad.status_code == 400
    created = sandbox.http.post(api + "/v1/submissions", json=create, headers=headers)
    assert created.status_code == 201, created.text
    submission = created.json()
    # Submitted (filed as a case of erika's by the sandbox's intake), then advanced.
    submit_encrypted(sandbox, api, headers, submission["submissionId"], "erika")
    hook.arrived.clear()
    status = sandbox.url("koeln", "status")
    assert (
        sandbox.http.post(f"{status}/_sandbox/cases/{submission['caseId']}/advance").status_code
        == 200
    )
    assert hook.arrived.wait(10)
    headers_in, body = hook.received[-1]
    timestamp = headers_in["callback-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha512)
    assert headers_in["callback-authentication"] == expected.hexdigest()
    announced = json.loads(body)
    assert announced["type"].endswith("/callbacks/new-events")
    assert announced["submissions"] == [
        {"destinationId": destination, "submissionId": submission["submissionId"],
         "caseId": submission["caseId"]}
    ]  # fmt: skip
