"""Adapters from other packages: the example adapter is installed, named in network.toml, queried."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from sources.base import Capability, EndpointRecord
from sources.network import load_network
from sources.plugins import AdapterContext, PluginError, load_adapter
from tests.conftest import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "portalgraph-example-adapter"
SEARCH = """
{ services(ars: "053150000000", query: "Beispielstadt") {
    totalCount edges { node { name leikaKey originPortal { id } responsibleAuthority { name } } } } }
"""


@pytest.fixture(scope="module")
def installed_example() -> None:
    # Builds in an isolated env (setuptools from PyPI); the host provides the dependencies.
    subprocess.run(  # noqa: S603 - fixed arguments: this interpreter's pip, a path in the repo
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def plugged_gateway(
    request: pytest.FixtureRequest,
    loop_thread: LoopThread,
    gateway_settings: Settings,
    sandbox: Sandbox,
) -> Iterator[str]:
    request.getfixturevalue("installed_example")  # the plug-in must be installed first
    network = load_network(sandbox.toml_path)
    portals = tuple(
        replace(
            p,
            endpoints={
                **p.endpoints,
                Capability.SERVICES: replace(
                    p.endpoints[Capability.SERVICES], adapter="example-directory"
                ),
            },
        )
        if p.id == "koeln"
        else p
        for p in network.portals
    )
    server = UvicornServer(create_app(gateway_settings, network=replace(network, portals=portals)))
    loop_thread.call(server.start())
    yield server.url
    loop_thread.call(server.stop())


def test_an_installed_adapter_serves_a_portal_named_in_the_network(plugged_gateway: str) -> None:
    body = httpx.post(plugged_gateway + "/graphql", json={"query": SEARCH}, timeout=10).json()
    nodes = [e["node"] for e in body["data"]["services"]["edges"]]
    assert {n["name"] for n in nodes} >= {
        "Hundesteuer anmelden (Beispielstadt)",
        "Sperrmüll anmelden (Beispielstadt)",
    }
    assert {n["originPortal"]["id"] for n in nodes} == {"koeln"}
    assert nodes[0]["responsibleAuthority"]["name"] == "Bürgerbüro Beispielstadt"


async def test_an_unknown_adapter_name_lists_the_installed_ones(sandbox: Sandbox) -> None:
    portal = load_network(sandbox.toml_path).portals[0]
    endpoint = EndpointRecord("https://x.example", adapter="nope")
    async with httpx.AsyncClient() as client:
        context = AdapterContext(portal, Capability.SERVICES, endpoint, client)
        with pytest.raises(PluginError, match="no adapter 'nope'"):
            load_adapter(context)
