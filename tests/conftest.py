"""Shared fixtures: the topology sandbox (network file v2) and the gateway as real servers on loopback."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
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
from graph.testing import LoopThread, UvicornServer, free_port
from sandbox.data_places import PORTALS
from sandbox.fitconnect_hub import group_base
from sandbox.key_cache import CACHE_ENV as KEY_CACHE_ENV
from sandbox.topology_runner import PLATFORM, POSTFACH
from sources.journal import upgrade
from sources.topology import load_topology
from tests.helpers.citizen_links import learn_demo_links
from tests.helpers.topology_sandbox import TopologySandboxHandle, topology_sandbox

# The journal's SQLite file of every gateway this test run starts (in-process apps through
# `gateway_settings`, and `portalgraph serve` processes, which inherit the environment):
# one throwaway data directory per run, so no run finds another run's submissions.
DATA_DIR = tempfile.mkdtemp(prefix="portalgraph-test-data-")
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)
os.environ["PORTALGRAPH_DATA_DIR"] = DATA_DIR

# The sandbox's RSA-4096 keys, made once per test run and shared by its processes
# (pytest-xdist workers and the subprocesses they start inherit the variable): removed
# by the process that made the folder, after the run (sandbox/key_cache.py).
if KEY_CACHE_ENV not in os.environ:
    os.environ[KEY_CACHE_ENV] = tempfile.mkdtemp(prefix="portalgraph-test-keys-")
    atexit.register(shutil.rmtree, os.environ[KEY_CACHE_ENV], ignore_errors=True)


# Where a v1-style (portal, capability) address lives in the topology sandbox: the
# upstream's name and a path prefix inside it. The sandbox's FIT-Connect keeps one
# Submission API per destination group under /zustelldienst/<group>.
SINGLE_PORTALS = ("bund", "nrw", "koeln")
CENTRAL = {
    "services": ("pvog", ""),
    "idp": ("identity", ""),
    "routing": ("fitconnect", "/routing"),
    "inbox": (POSTFACH, ""),  # the BundID Postfach
}


class Sandbox:
    """The running topology sandbox (network file v2), with helpers for its stats and faults.

    `url`, `stats`, `calls` and `fault` take an upstream name (`pvog`, `fitconnect`,
    `payment_providers.epay21`, `portals.koeln.accounts`, `identity`, ...) or, for the tests
    written against portals, a portal id and a capability, mapped to the upstream that
    serves it (`upstream_of`).
    """

    def __init__(self, handle: TopologySandboxHandle) -> None:
        self.handle = handle
        self.network = handle.sandbox
        self.toml_path = handle.network_file
        self.env = handle.env
        self.topology = load_topology(handle.network_file)
        self.http = httpx.Client(timeout=10, trust_env=False)

    def upstream_of(self, portal: str, capability: str | None = None) -> tuple[str, str]:
        """(upstream name, path prefix) serving `portal`'s `capability`."""
        if capability is None:
            if portal in self.handle.upstreams:
                return portal, ""
            capability = "services"
        if capability in CENTRAL:
            return CENTRAL[capability]
        if capability in ("status", "submissions"):
            return "fitconnect", group_base(portal)
        if capability == "accounts":
            entry = portal if portal in SINGLE_PORTALS else PLATFORM
            return f"portals.{entry}.accounts", ""
        if capability == "payments":
            ars = next(p.ars for p in PORTALS if p.id == portal)
            choice = self.topology.tenants.choose(ars)
            # No tenant covers the portal (the Bund): no provider, so never any call.
            return f"payment_providers.{choice[0].id if choice else None}", ""
        raise KeyError((portal, capability))

    def url(self, portal: str, capability: str | None = None) -> str:
        name, prefix = self.upstream_of(portal, capability)
        return self.handle.url(name) + prefix

    def stats(self, portal: str, capability: str | None = None) -> dict[str, Any]:
        return self.handle.stats(self.upstream_of(portal, capability)[0])

    def calls(self, portal: str, capability: str | None = None) -> dict[str, int]:
        """Calls by `METHOD /template` of the upstream; of a destination group (FIT-Connect
        under /zustelldienst/<group>) only those, with the group's prefix taken off."""
        name, prefix = self.upstream_of(portal, capability)
        if name not in self.handle.upstreams:
            return {}
        calls: dict[str, int] = self.handle.stats(name)["calls"]
        if not prefix:
            return calls
        found = {}
        for key, count in calls.items():
            method, path = key.split(" ", 1)
            if path.startswith(prefix):
                found[f"{method} {path[len(prefix) :]}"] = count
        return found

    def reset_stats(self) -> None:
        self.handle.reset_stats()

    @property
    def issuer(self) -> str:
        return self.handle.url("identity")

    def demo_token(self, login: str) -> str:
        return self.handle.demo_token(login)

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        response = self.http.post(
            self.issuer + "/_sandbox/sign", json={"claims": claims, "header": header}
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def fault(self, portal: str, capability: str | None = None, **fault: Any) -> None:
        name, prefix = self.upstream_of(portal, capability)
        if prefix:
            fault["path_prefix"] = prefix + fault.get("path_prefix", "")
        self.handle.fault(name, **fault)

    def clear_faults(self) -> None:
        self.handle.clear_faults()


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
def sandbox(loop_thread: LoopThread) -> Iterator[Sandbox]:
    with topology_sandbox(municipalities=4, seed=2026, citizens=200, loop=loop_thread) as handle:
        box = Sandbox(handle)
        yield box
        box.http.close()


@pytest.fixture(scope="session")
def gateway_settings(sandbox: Sandbox) -> Settings:
    for name, secret in sandbox.env.items():  # `portalgraph serve` subprocesses inherit them
        if name != "PORTALGRAPH_NETWORK":
            os.environ.setdefault(name, secret)
    # The shared gateway neither caches nor trips breakers: tests count upstream calls and
    # inject faults one after another. tests/e2e/test_faults.py runs gateways with both on,
    # tests/unit/graph/http/test_response_cache.py tests the response cache.
    # Secrets from the environment, settings from here: a PORTALGRAPH_* variable of the
    # machine (CI sets PORTALGRAPH_REDIS_URL) must not change the shared gateway.
    secrets = {k: v for k, v in os.environ.items() if k not in Settings.variables()}
    return Settings.from_env(secrets).override(
        network=str(sandbox.toml_path),
        # 4 s: a submission's service look-up at the sandbox's PVOG (396 municipalities)
        # took over 2 s under make test's two workers and coverage (a flaky UPSTREAM_TIMEOUT
        # in docs/submissions.md's snippet); the timeout fault still ends in 4 s.
        upstream_read_timeout=4.0,
        cache=False,
        response_cache=False,
        breaker_failures=0,
        data_dir=DATA_DIR,
    )


@pytest.fixture(scope="session")
def gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    with running_gateway(loop_thread, gateway_settings, sandbox) as gw:
        yield gw


@contextlib.contextmanager
def running_gateway(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    """A gateway on the sandbox, with the demo citizens' account links learned."""
    # Its submissions announce `callback {url, secret}` with its own hook (a fresh secret
    # each, kept in the journal): the sandbox's FIT-Connect calls back there and signs
    # each submission's callbacks with that submission's secret, as a real one would.
    port = free_port()
    settings = gateway_settings.override(
        poll_interval=0.3, callback_base_url=f"http://127.0.0.1:{port}"
    )
    server = UvicornServer(create_app(settings), port=port)
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    try:
        # A fresh journal knows no account links: the demo citizens' dashboards would be
        # empty. Learn them once, as a frontend does by naming each portal (docs/frontend.md).
        learn_demo_links(gw, sandbox.demo_token)
        yield gw
    finally:
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
