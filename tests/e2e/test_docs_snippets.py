"""Every runnable snippet of README.md and docs/*.md, run against the test sandbox and gateway.

GraphQL: queries run as the demo citizen erika; mutations and subscriptions as `reader`, a
seeded citizen of the test's own, so the demo data stay as other tests expect them.
Variables are filled by name from real data (VALUES below): `$applicationId`,
`$messageId`, `$requestId`, `$form`, `$attachments`. Subscriptions run over WebSocket until
their first event, which the test triggers in the sandbox. Shell snippets: see
tests/helpers/shell_snippets.py; `$APPLICATION_ID` is an application the test may move on.
A block that cannot run carries `<!-- snippet: not run — why -->` (tests/test_docs.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import FieldNode, OperationDefinitionNode, OperationType, parse

from graph.settings import Settings
from graph.testing import LoopThread
from sandbox.key_cache import CACHE_ENV as KEY_CACHE_ENV
from tests.conftest import Gateway, Sandbox, running_gateway
from tests.helpers import shell_snippets as shell
from tests.helpers.callbacks import advance_case, submitted_by
from tests.helpers.citizen_links import learn_links
from tests.helpers.docs import ROOT, Block, runnable
from tests.helpers.live import LiveClient
from tests.helpers.submitting import PASSPORT_FORM, PDF, citizen_token, fresh_citizen

PORTAL = "koeln"
KEY_CACHE = os.environ[KEY_CACHE_ENV]  # set by tests/conftest.py before any test runs
APPS = "{ me { applications(first: 100) { edges { node { id applicationId } } } } }"
MESSAGES = "{ me { inbox(first: 100) { edges { node { id subject locked } } } } }"
START = """mutation Start($i: StartPaymentInput!) { startPayment(input: $i) {
  ... on PaymentStarted { redirectUrl } ... on PaymentRejected { code } } }"""


@dataclass(frozen=True, slots=True)
class Viewer:
    login: str
    token: str


@dataclass(frozen=True, slots=True)
class World:
    sandbox: Sandbox
    gateway: Gateway
    erika: Viewer
    reader: Viewer

    def nodes(self, query: str, viewer: Viewer, field: str) -> list[dict[str, Any]]:
        body = self.gateway.query(query, token=viewer.token)
        assert "errors" not in body, body
        return [e["node"] for e in body["data"]["me"][field]["edges"]]

    def new_application(self, viewer: Viewer) -> dict[str, Any]:
        url = self.sandbox.url(PORTAL, "status") + "/_sandbox/applications"
        created = self.sandbox.http.post(url, json={"login": viewer.login}).json()
        apps = self.nodes(APPS, viewer, "applications")
        return next(a for a in apps if a["applicationId"] == created["applicationId"])

    def send_message(self, viewer: Viewer) -> str:
        subject = f"Docs {uuid.uuid4().hex[:8]}"
        url = self.sandbox.url(PORTAL, "inbox") + "/_sandbox/messages"
        body = {"login": viewer.login, "title": subject, "level": 1}
        self.sandbox.http.post(url, json=body).raise_for_status()
        return subject

    def new_message(self, viewer: Viewer) -> str:
        subject = self.send_message(viewer)
        found = self.nodes(MESSAGES, viewer, "inbox")
        return str(next(m["id"] for m in found if m["subject"] == subject))

    def start_payment(self, viewer: Viewer, application: dict[str, Any]) -> str:
        data = {"applicationId": application["id"], "requestId": request_id()}
        data |= {"items": [{"description": "Gebühr", "amountCents": 900}], "totalCents": 900}
        body = self.gateway.query(START, {"i": data}, token=viewer.token)
        return str(body["data"]["startPayment"]["redirectUrl"])


def request_id() -> str:
    return f"docs-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def own_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    # Its own gateway: after tests/e2e/test_abuse_malformed.py on the shared one (same xdist
    # worker), a snippet's PVOG look-up timed out; the cause is not found yet (see the note).
    with running_gateway(loop_thread, gateway_settings, sandbox) as gw:
        yield gw


@pytest.fixture(scope="module")
def world(sandbox: Sandbox, own_gateway: Gateway) -> World:
    gateway = own_gateway
    citizen = fresh_citizen(sandbox, PORTAL, skip=10)
    reader = Viewer(citizen.login, citizen_token(sandbox, citizen))
    learn_links(gateway, reader.token, ("bund", PORTAL))  # asked: only learned areas (v2)
    return World(sandbox, gateway, Viewer("erika", sandbox.demo_token("erika")), reader)


# Variable name -> its value for a viewer; "attachments" also becomes a multipart file.
VALUES: dict[str, Callable[[World, Viewer], Any]] = {
    "applicationId": lambda w, v: (
        w.new_application(v)["id"] if v is w.reader else w.nodes(APPS, v, "applications")[0]["id"]
    ),
    "messageId": lambda w, v: w.new_message(v),
    "requestId": lambda w, v: request_id(),
    "form": lambda w, v: PASSPORT_FORM,
    "attachments": lambda w, v: [None],
}


def operations(block: Block) -> list[OperationDefinitionNode]:
    found = [d for d in parse(block.text).definitions if isinstance(d, OperationDefinitionNode)]
    assert found, block.name
    assert all(op.name for op in found), f"{block.name}: name every operation"
    return found


def variables(world: World, viewer: Viewer, op: OperationDefinitionNode) -> dict[str, Any]:
    values = {}
    for definition in op.variable_definitions or ():
        name = definition.variable.name.value
        assert name in VALUES, f"no value for ${name}: add it to VALUES and docs/development.md"
        values[name] = VALUES[name](world, viewer)
    return values


def execute(world: World, block: Block, op: OperationDefinitionNode, viewer: Viewer) -> None:
    assert op.name is not None
    values = variables(world, viewer, op)
    request = {"query": block.text, "operationName": op.name.value, "variables": values}
    headers = {"Authorization": f"Bearer {viewer.token}"}
    if "attachments" in values:  # the GraphQL multipart request spec, as GraphiQL's picker sends
        response = world.gateway.http.post(
            "/graphql",
            data={"operations": json.dumps(request), "map": '{"0": ["variables.attachments.0"]}'},
            files={"0": ("foto.pdf", PDF, "application/pdf")},
            headers=headers | {"GraphQL-Preflight": "1"},
        )
    else:
        response = world.gateway.http.post("/graphql", json=request, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"], body
    assert None not in body["data"].values(), body
    # The docs show the way that works: a typed rejection (…Rejected) is a failure here.
    kinds = [str(v.get("__typename", "")) for v in body["data"].values() if isinstance(v, dict)]
    assert not [k for k in kinds if k.endswith("Rejected")], body


def trigger(world: World, root: str, values: dict[str, Any]) -> Callable[[], None]:
    """Prepare what the subscription will see change; the returned call changes it."""
    reader = world.reader
    if root == "applicationStatusChanged":
        # As docs/live-updates.md says: a submission made through the gateway, whose case
        # FIT-Connect then moves on and calls back with the submission's own secret.
        made = submitted_by(world.gateway, world.sandbox, reader.token, "docs")
        if "applicationId" in values:
            values["applicationId"] = made.application["id"]
        return lambda: advance_case(world.sandbox, made.case)
    if root == "paymentStatusChanged":
        pay_page = world.start_payment(reader, world.new_application(reader))

        def pay() -> None:  # the pay page answers with a redirect back to the portal
            assert world.sandbox.http.post(pay_page + "/pay").status_code == 303

        return pay
    assert root == "inboxMessageReceived", f"no trigger for {root}: add one here"

    def deliver() -> None:
        world.send_message(reader)

    return deliver


def subscribe(world: World, block: Block, op: OperationDefinitionNode) -> None:
    assert op.name is not None
    field = op.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    root = field.name.value
    values = variables(world, world.reader, op)
    fire = trigger(world, root, values)
    client = LiveClient(world.gateway.url, world.reader.token)
    try:
        payload = {"query": block.text, "operationName": op.name.value, "variables": values}
        client.send({"id": "1", "type": "subscribe", "payload": payload})
        time.sleep(0.8)  # the subscription takes the current state as its baseline first
        fire()
        event = client.wait_for(lambda p: True, timeout=15)
        assert "errors" not in event, event
        assert event["data"][root], event
    finally:
        client.close()


@pytest.mark.parametrize("block", runnable("graphql"), ids=lambda b: b.name)
def test_graphql_snippets_run_without_errors(world: World, block: Block) -> None:
    for op in operations(block):
        if op.operation is OperationType.SUBSCRIPTION:
            subscribe(world, block, op)
        else:
            viewer = world.erika if op.operation is OperationType.QUERY else world.reader
            execute(world, block, op, viewer)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox) -> Path:
    return shell.work_directory(tmp_path_factory.mktemp("docs-shell"), sandbox.toml_path)


@pytest.mark.parametrize("block", runnable("sh", "console"), ids=lambda b: b.name)
def test_shell_snippets_run(world: World, workdir: Path, block: Block) -> None:
    shell.needs_curl(block.text)
    extra: dict[str, str] = {}
    if "$APPLICATION_ID" in block.text:
        extra["APPLICATION_ID"] = world.new_application(world.reader)["id"]
    env = shell.environment(world.sandbox.toml_path, **extra)
    options: list[str] = []
    if block.lang == "console":
        commands = shell.console_commands(block.text, world.gateway.url)
    else:
        commands, options = shell.sh_commands(block.text, world.gateway.url)
    for command in commands:
        out = shell.run(command, workdir, env)
        assert all(option in out for option in options), (options, out)


@pytest.mark.parametrize("block", runnable("python"), ids=lambda b: b.name)
def test_python_snippets_run(block: Block, tmp_path: Path) -> None:
    script = tmp_path / "snippet.py"
    script.write_text(block.text, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - the venv's Python with our own docs' snippet
        [sys.executable, str(script)],
        cwd=tmp_path,
        # The session's sandbox keys (tests/conftest.py): a topology sandbox starts in seconds.
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", KEY_CACHE_ENV: KEY_CACHE},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
