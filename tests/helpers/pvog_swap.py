"""A PVOG server with a test's own data, and a gateway whose network's one PVOG it is (the
topology sandbox's v2 file with the PVOG's URL replaced)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread
from sandbox.data import PortalData
from sandbox.pvog import PvogUpstream
from tests.conftest import Gateway, Sandbox
from tests.helpers.serving import serving


class OwnPvog:
    """A running PvogUpstream over a test's data, with its /_sandbox controls."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def get(self, path: str, params: dict[str, Any]) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.get("/_sandbox/stats", {})
        return stats

    def reset(self) -> None:
        self.http.delete("/_sandbox/stats").raise_for_status()


def own_pvog(loop_thread: LoopThread, data: PortalData) -> Iterator[OwnPvog]:
    """Yields the PVOG while it runs (use with `yield from` in a fixture)."""
    for url in serving(loop_thread, PvogUpstream(data, seed=2026).app):
        pvog = OwnPvog(url)
        yield pvog
        pvog.http.close()


def gateway_with_pvog(
    loop_thread: LoopThread, settings: Settings, sandbox: Sandbox, pvog_url: str, folder: Path
) -> Iterator[Gateway]:
    """Yields the gateway while it runs (use with `yield from` in a fixture)."""
    pvog = sandbox.url("pvog")
    toml = sandbox.toml_path.read_text(encoding="utf-8")
    assert toml.count(f'"{pvog}"') == 1, "the v2 network file names its PVOG once"
    path = folder / "network.toml"
    path.write_text(toml.replace(f'"{pvog}"', f'"{pvog_url}"'), encoding="utf-8")
    for url in serving(loop_thread, create_app(settings.override(network=str(path)))):
        gateway = Gateway(url)
        yield gateway
        gateway.http.close()


def gateway_fixture(pvog_fixture: str) -> Any:
    """A module fixture: the gateway whose PVOG is the OwnPvog of the fixture so named."""

    @pytest.fixture(scope="module")
    def gateway(
        request: pytest.FixtureRequest,
        loop_thread: LoopThread,
        gateway_settings: Settings,
        sandbox: Sandbox,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[Gateway]:
        pvog: OwnPvog = request.getfixturevalue(pvog_fixture)
        folder = tmp_path_factory.mktemp(pvog_fixture)
        yield from gateway_with_pvog(loop_thread, gateway_settings, sandbox, pvog.url, folder)

    return gateway
