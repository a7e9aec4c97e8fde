"""Adapters from other packages: the example adapter is installed, named in network.toml, checked."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from graph.settings import Secrets
from graph.wiring import build_adapters
from sources.base import Capability, EndpointRecord, PortalRecord, Tier
from sources.network import NetworkConfigError
from sources.plugins import AdapterContext, PluginError, load_adapter
from sources.topology import parse_topology
from tests.conftest import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "portalgraph-example-adapter"


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


@pytest.mark.usefixtures("installed_example")
def test_a_plug_in_named_for_an_account_area_is_loaded_and_checked(sandbox: Sandbox) -> None:
    """Network file v2: account areas and inboxes are the per-portal APIs a plug-in serves
    (`adapter = "<entry point>"`). The example package is a service directory, so the
    gateway finds it by name and refuses it for an account area, naming the table."""
    text = sandbox.toml_path.read_text(encoding="utf-8")
    url = f'url = "{sandbox.url("koeln", "accounts")}"'
    assert url in text
    topology = parse_topology(text.replace(url, url + '\nadapter = "example-directory"'))

    async def wire() -> None:
        async with httpx.AsyncClient() as client:
            build_adapters(topology, client, Secrets(sandbox.env))

    with pytest.raises(NetworkConfigError) as refused:
        asyncio.run(wire())
    assert "portals.koeln.accounts" in str(refused.value)
    assert "lacks account, applications, link_payment" in str(refused.value)


async def test_an_unknown_adapter_name_lists_the_installed_ones() -> None:
    portal = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})
    endpoint = EndpointRecord("https://x.example", adapter="nope")
    async with httpx.AsyncClient() as client:
        context = AdapterContext(portal, Capability.ACCOUNTS, endpoint, client)
        with pytest.raises(PluginError, match="no adapter 'nope'"):
            load_adapter(context)
