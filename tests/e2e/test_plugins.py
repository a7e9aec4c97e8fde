"""Adapters from other packages: the example account-area plug-in is installed, named in a
version 2 network file, checked, and answers through a real gateway over HTTP.

The example (examples/portalgraph-example-adapter) adapts a town's own account API; here
that API is a small server on loopback standing in for Köln's, so the gateway's
`me.applications(portal: "koeln")` goes gateway → plug-in → HTTP → town API.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.app import create_app
from graph.settings import Secrets, Settings
from graph.testing import LoopThread, UvicornServer
from graph.wiring.adapters import build_adapters
from sandbox.citizens import demo_citizens
from sources.base import Capability, EndpointRecord, PortalRecord, Tier
from sources.network import NetworkConfigError
from sources.plugins import AdapterContext, PluginError, load_adapter
from sources.topology import parse_topology
from tests.conftest import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "portalgraph-example-adapter"
ERIKA = next(c.subject for c in demo_citizens() if c.login == "erika")
QUERY = """query { me {
  applications(portal: "koeln") { totalCount edges { node { applicationId reference serviceName } } }
} }"""


@pytest.fixture(scope="module")
def installed_example() -> str:
    """Installs the example package; its entry point's name."""
    # Builds in an isolated env (setuptools from PyPI); the host provides the dependencies.
    subprocess.run(  # noqa: S603 - fixed arguments: this interpreter's pip, a path in the repo
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", str(EXAMPLE)],
        check=True,
        capture_output=True,
    )
    return "example-accounts"


AUDIENCES: list[object] = []  # the `aud` of every bearer the town API was sent


def subject_of(request: Request) -> str | None:
    """The bearer's `sub`, unverified: a stand-in for the town, which would verify it."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    try:
        payload = token.split(".")[1]
        claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    except (IndexError, ValueError):
        return None
    AUDIENCES.append(claims.get("aud"))
    return str(claims.get("sub"))


def town_api() -> Starlette:
    """Köln's own account API as the example expects it: Erika has an account, nobody else."""

    async def konto(request: Request) -> Response:
        if subject_of(request) != ERIKA:
            return JSONResponse({"fehler": "kein Konto"}, status_code=404)
        return JSONResponse({"kontoId": "K-4711", "angelegtAm": "2024-05-02T09:13:00+00:00"})

    async def antraege(request: Request) -> Response:
        if subject_of(request) != ERIKA:
            return JSONResponse({"fehler": "kein Konto"}, status_code=404)
        row = {
            "antragId": "A-1",
            "vorgangsnummer": "VG-2026-0001",
            "leistung": "Bewohnerparkausweis",
            "leikaSchluessel": "99108004002000",
            "eingereichtAm": "2026-03-01T10:00:00+00:00",
        }
        return JSONResponse({"antraege": [row]})

    return Starlette(routes=[Route("/konto", konto), Route("/konto/antraege", antraege)])


def koeln_through(text: str, url: str, adapter: str) -> str:
    """The sandbox's network file with Köln's account area served by the example plug-in."""
    lines = text.splitlines()
    start = lines.index('id = "koeln"')
    at = next(i for i in range(start, len(lines)) if lines[i] == "[portals.accounts]")
    lines[at + 1 : at + 2] = [f'url = "{url}"', f'adapter = "{adapter}"']
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def plugged_gateway(
    installed_example: str,
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("plugged")
    town = UvicornServer(town_api())
    loop_thread.call(town.start())
    network = folder / "network.toml"
    network.write_text(
        koeln_through(sandbox.toml_path.read_text(encoding="utf-8"), town.url, installed_example)
    )
    # Its own journal: no account link learned by the shared gateway counts here.
    settings = gateway_settings.override(
        network=str(network), data_dir=str(folder), database_url=None
    )
    gateway = UvicornServer(create_app(settings))
    loop_thread.call(gateway.start())
    yield gateway.url
    loop_thread.call(gateway.stop())
    loop_thread.call(town.stop())


def ask(url: str, token: str) -> dict[str, Any]:
    response = httpx.post(
        url + "/graphql",
        json={"query": QUERY},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_plug_in_serves_a_citizens_applications_through_the_gateway(
    plugged_gateway: str, sandbox: Sandbox
) -> None:
    body = ask(plugged_gateway, sandbox.demo_token("erika"))
    assert "errors" not in body, body
    listed = body["data"]["me"]["applications"]
    assert listed["totalCount"] >= 1
    node = next(e["node"] for e in listed["edges"] if e["node"]["applicationId"] == "A-1")
    assert node == {
        "applicationId": "A-1",
        "reference": "VG-2026-0001",
        "serviceName": "Bewohnerparkausweis",
    }
    # Köln's entry says token_exchange: the plug-in was handed the token exchanged for
    # Köln's audience (RFC 8693), never Erika's sign-in token for the gateway.
    koeln = "urn:portalgraph:portal:koeln"
    assert AUDIENCES, "the town API was not called"
    assert all(aud == koeln or (isinstance(aud, list) and koeln in aud) for aud in AUDIENCES)


def test_a_citizen_without_an_account_there_gets_none(
    plugged_gateway: str, sandbox: Sandbox
) -> None:
    body = ask(plugged_gateway, sandbox.demo_token("max"))
    assert "errors" not in body, body
    assert body["data"]["me"]["applications"]["totalCount"] == 0


@pytest.mark.usefixtures("installed_example")
def test_a_plug_in_named_for_the_wrong_api_is_refused_naming_the_table(sandbox: Sandbox) -> None:
    """The example is an account area: named for the Bund's inbox, the gateway finds it by
    name and refuses it at start-up, naming the table and the missing methods."""
    text = sandbox.toml_path.read_text(encoding="utf-8")
    url = f'url = "{sandbox.url("portals.bund.inbox")}"'
    assert url in text
    topology = parse_topology(text.replace(url, url + '\nadapter = "example-accounts"'))

    async def wire() -> None:
        async with httpx.AsyncClient() as client:
            build_adapters(topology, client, Secrets(sandbox.env))

    with pytest.raises(NetworkConfigError) as refused:
        asyncio.run(wire())
    assert "portals.bund.inbox" in str(refused.value)
    assert "lacks messages, status_updates, mark_read, attachment" in str(refused.value)


async def test_an_unknown_adapter_name_lists_the_installed_ones() -> None:
    portal = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})
    endpoint = EndpointRecord("https://x.example", adapter="nope")
    async with httpx.AsyncClient() as client:
        context = AdapterContext(portal, Capability.ACCOUNTS, endpoint, client)
        with pytest.raises(PluginError, match="no adapter 'nope'"):
            load_adapter(context)
