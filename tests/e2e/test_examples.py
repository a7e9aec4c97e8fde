"""The example clients under examples/ run against a gateway like `make run`'s.

The TypeScript frontend is built from scratch (codegen against schema.graphql, tsc, esbuild)
and its generated manifest is the gateway's trusted-documents list, so the test also proves
that the client preset's manifest format is what PORTALGRAPH_TRUSTED_DOCUMENTS accepts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.helpers.nodejs import ROOT, npm_ci, require_node, run_node

WEB = ROOT / "examples" / "web"
MANIFEST = WEB / "src" / "gql" / "persisted-documents.json"


def json_lines(output: str) -> list[Any]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def web_build() -> Path:
    require_node()
    npm_ci(WEB)
    subprocess.run(
        ["npm", "run", "build", "--silent"],  # noqa: S607 - npm from PATH
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=180,
    )
    return WEB / "dist" / "main.mjs"


@pytest.fixture(scope="module")
def trusted_gateway(
    web_build: Path,
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
    gateway: Gateway,
) -> Iterator[Gateway]:
    # `gateway` taught the shared journal the demo citizens' account links (conftest); this
    # one runs only the manifest's operations, so it could not learn them itself.
    settings = gateway_settings.override(trusted_documents=str(MANIFEST), poll_interval=0.3)
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    gateway = Gateway(server.url)
    yield gateway
    gateway.http.close()
    loop_thread.call(server.stop())


def test_the_manifest_is_the_client_preset_format(web_build: Path) -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert len(manifest) == 2
    assert all(key.startswith("sha256:") and len(key) == 71 for key in manifest)


def test_the_web_example_runs_a_persisted_query_and_subscription(
    web_build: Path, trusted_gateway: Gateway, sandbox: Sandbox
) -> None:
    # Only the manifest's operations run on this gateway...
    refused = trusted_gateway.post("{ portals { id } }").json()
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
    # ...and the built frontend's two operations are among them.
    env = {
        "PORTALGRAPH_URL": trusted_gateway.url + "/graphql",
        "PORTALGRAPH_TOKEN": sandbox.demo_token("lena"),
        "SANDBOX_INBOX": sandbox.url("bund", "inbox"),
    }
    result = run_node(str(web_build), folder=WEB, timeout=60, env=env)
    portals, message = json_lines(result.stdout)
    assert set(portals["portals"]) >= {"bund", "nrw", "koeln", "dormagen"}
    # Network file v2: messages come through the BundID Postfach (portals.bund.inbox).
    assert message["message"] == {"subject": "Hallo aus examples/web", "portal": {"id": "bund"}}


def test_the_web_example_runs_against_make_run_in_apq_mode(
    web_build: Path,
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
    gateway: Gateway,  # the demo links it learned are in the shared journal
) -> None:
    # `make run`'s gateway has no manifest: the ids are unknown until the client registers
    # them (APQ); a fresh gateway, so no earlier test registered them already.
    server = UvicornServer(create_app(gateway_settings.override(poll_interval=0.3)))
    loop_thread.call(server.start())
    try:
        env = {
            "PORTALGRAPH_URL": server.url + "/graphql",
            "PORTALGRAPH_TOKEN": sandbox.demo_token("lena"),
            "SANDBOX_INBOX": sandbox.url("bund", "inbox"),
        }
        result = run_node(str(web_build), folder=WEB, timeout=60, env=env)
        portals, message = json_lines(result.stdout)
        assert set(portals["portals"]) >= {"bund", "nrw", "koeln", "dormagen"}
        assert message["message"]["subject"] == "Hallo aus examples/web"
        # Registered now: the id alone runs.
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        portals_id = next(k for k, v in manifest.items() if "query Portals" in v)
        again = Gateway(server.url)
        body = again.http.post("/graphql", json={"documentId": portals_id}).json()
        again.http.close()
        assert body["data"]["portals"], body
    finally:
        loop_thread.call(server.stop())


def test_the_python_gql_example(gateway: Gateway, sandbox: Sandbox) -> None:
    env = {
        **os.environ,
        "PORTALGRAPH_URL": gateway.url + "/graphql",
        "PORTALGRAPH_TOKEN": sandbox.demo_token("lena"),
        "SANDBOX_INBOX": sandbox.url("bund", "inbox"),
    }
    result = subprocess.run(  # noqa: S603 - our own example with the test's interpreter
        [sys.executable, str(ROOT / "examples" / "python" / "portalgraph_example.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    portals, message = json_lines(result.stdout)
    assert "koeln" in portals["portals"]
    assert message["message"] == {
        "subject": "Hallo aus examples/python",
        "portal": {"id": "bund"},  # v2: through the BundID Postfach
    }
