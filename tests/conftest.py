"""Shared fixtures: the sandbox network and the gateway as real servers on loopback."""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.ops.journal import sqlite_path
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from sandbox.runner import IDP_SECRET, IDP_SECRET_ENV, SandboxNetwork, callback_secrets
from sources.journal import upgrade

# The journal's SQLite file of every gateway this test run starts (in-process apps through
# `gateway_settings`, and `portalgraph serve` processes, which inherit the environment):
# one throwaway data directory per run, so no run finds another run's submissions.
DATA_DIR = tempfile.mkdtemp(prefix="portalgraph-test-data-")
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)
os.environ["PORTALGRAPH_DATA_DIR"] = DATA_DIR


class Sandbox:
    """The running sandbox, with helpers for its stats and fault endpoints."""

    def __init__(self, network: SandboxNetwork, toml_path: Path) -> None:
        self.network = network
        self.toml_path = toml_path
        self.http = httpx.Client(timeout=10, trust_env=False)

    def url(self, portal: str, capability: str = "services") -> str:
        return self.network.urls[(portal, capability)]

    def stats(self, portal: str, capability: str = "services") -> dict[str, Any]:
        result: dict[str, Any] = self.http.get(
            self.url(portal, capability) + "/_sandbox/stats"
        ).json()
        return result

    def calls(self, portal: str, capability: str = "services") -> dict[str, int]:
        calls: dict[str, int] = self.stats(portal, capability)["calls"]
        return calls

    def reset_stats(self) -> None:
        for url in self.network.urls.values():
            self.http.delete(url + "/_sandbox/stats").raise_for_status()

    @property
    def issuer(self) -> str:
        return self.url("identity", "idp")

    def demo_token(self, login: str) -> str:
        tokens = self.http.get(self.issuer + "/_sandbox/demo-tokens").json()
        token: str = next(t["accessToken"] for t in tokens if t["login"] == login)
        return token

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        response = self.http.post(
            self.issuer + "/_sandbox/sign", json={"claims": claims, "header": header}
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def fault(self, portal: str, capability: str = "services", **fault: Any) -> None:
        self.http.put(
            self.url(portal, capability) + "/_sandbox/faults", json=fault
        ).raise_for_status()

    def clear_faults(self) -> None:
        for url in self.network.urls.values():
            self.http.delete(url + "/_sandbox/faults").raise_for_status()


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        return self.http.post("/graphql", json=body, headers=headers)

    def query(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        response = self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


@pytest.fixture(scope="session")
def sandbox(loop_thread: LoopThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    network = SandboxNetwork(seed=2026)
    loop_thread.call(network.start())
    path = tmp_path_factory.mktemp("network") / "network.toml"
    path.write_text(network.network_toml(), encoding="utf-8")
    box = Sandbox(network, path)
    yield box
    box.http.close()
    loop_thread.call(network.stop())


@pytest.fixture(scope="session")
def gateway_settings(sandbox: Sandbox) -> Settings:
    os.environ.setdefault(IDP_SECRET_ENV, IDP_SECRET)
    for name, secret in callback_secrets().items():
        os.environ.setdefault(name, secret)
    # The shared gateway neither caches nor trips breakers: tests count upstream calls and
    # inject faults one after another. tests/e2e/test_faults.py runs gateways with both on,
    # tests/unit/graph/http/test_response_cache.py tests the response cache.
    # Secrets from the environment, settings from here: a PORTALGRAPH_* variable of the
    # machine (CI sets PORTALGRAPH_REDIS_URL) must not change the shared gateway.
    secrets = {k: v for k, v in os.environ.items() if k not in Settings.variables()}
    return Settings.from_env(secrets).override(
        network=str(sandbox.toml_path),
        upstream_read_timeout=2.0,
        cache=False,
        response_cache=False,
        breaker_failures=0,
        data_dir=DATA_DIR,
    )


@pytest.fixture(scope="session")
def gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    server = UvicornServer(create_app(gateway_settings.override(poll_interval=0.3)))
    loop_thread.call(server.start())
    sandbox.network.callbacks.url = server.url
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


@pytest.fixture
def clean_sandbox(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The sandbox with zeroed counters and no faults, restored afterwards."""
    sandbox.clear_faults()
    sandbox.reset_stats()
    yield sandbox
    sandbox.clear_faults()


# Demo secrets a production-profile gateway requires (the journal's key ring and the HMAC
# key of its subject pseudonyms); fixed values, for tests only.
PRODUCTION_SECRETS = {
    "PORTALGRAPH_JOURNAL_KEYS": "k1:" + "A" * 43 + "=",
    "PORTALGRAPH_JOURNAL_SUBJECT_KEY": "test-suite-subject-key",
}


def in_production(settings: Settings, data_dir: Path, **values: Any) -> Settings:
    """`settings` in the production profile, with its own migrated journal (production
    refuses an unmigrated one, as `portalgraph migrate` would prepare it) and its secrets."""
    chosen = settings.override(profile="production", data_dir=str(data_dir), **values)
    asyncio.run(upgrade(None, sqlite_path=sqlite_path(chosen)))
    return dataclasses.replace(chosen, secrets=chosen.secrets.with_defaults(PRODUCTION_SECRETS))
