"""The gateway on the topology sandbox (network file v2) over real HTTP on loopback.

One PVOG: a Köln search is exactly one upstream call, and each description shows the
tier and origin of its own ARS. Every upstream authenticates with its own `auth` table:
the PVOG a client-id header, FIT-Connect OAuth2 client credentials (client_secret_post),
epay21 HTTP Basic, GiroCheckout OAuth2, ePayBL mutual TLS; a wrong credential is a typed
outage or error naming the upstream, never a 500.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from graph.wiring.adapters import build_adapters
from sandbox.tls import make_chain
from sources._pool import new_client
from sources.errors import (
    SourceAuthError,
    SourceError,
    SourceNotFoundError,
    SourceUnavailableError,
)
from sources.topology import load_topology
from tests.conftest import DATA_DIR, Gateway
from tests.helpers.topology_sandbox import TopologySandboxHandle, topology_sandbox

KOELN, NRW = "053150000000", "050000000000"
SEARCH = """
query($ars: String!) {
  services(ars: $ars, first: 100) {
    edges { node { name ars tier originPortal { id } } }
    outages { portalId code }
  }
}
"""


@pytest.fixture(scope="module")
def topology(loop_thread: LoopThread) -> Iterator[TopologySandboxHandle]:
    with topology_sandbox(municipalities=4, loop=loop_thread) as sandbox:
        yield sandbox


def settings_for(sandbox: TopologySandboxHandle, **env: str) -> Settings:
    machine = {k: v for k, v in os.environ.items() if k not in Settings.variables()}
    secrets = {**machine, **sandbox.env, **env}
    return Settings.from_env(secrets).override(
        network=str(sandbox.network_file),
        upstream_read_timeout=2.0,
        cache=False,
        response_cache=False,
        breaker_failures=0,
        data_dir=DATA_DIR,
    )


def serve(loop_thread: LoopThread, settings: Settings) -> tuple[UvicornServer, Gateway]:
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    return server, Gateway(server.url)


@pytest.fixture(scope="module")
def v2_gateway(loop_thread: LoopThread, topology: TopologySandboxHandle) -> Iterator[Gateway]:
    server, gateway = serve(loop_thread, settings_for(topology))
    yield gateway
    gateway.http.close()
    loop_thread.call(server.stop())


def test_one_koeln_search_is_one_pvog_call(
    v2_gateway: Gateway, topology: TopologySandboxHandle
) -> None:
    topology.reset_stats()
    body = v2_gateway.query(SEARCH, {"ars": KOELN})
    assert body["data"]["services"]["outages"] == []
    calls = topology.all_stats()
    # One search, whatever the number of portals (the PVOG inherits Bund and NRW texts);
    # the only other PVOG calls complete hits the search view lists without LeiKa keys.
    assert calls["pvog"]["GET /v8beta1/servicedescriptions"] == 1
    assert set(calls["pvog"]) <= {
        "GET /v8beta1/servicedescriptions",
        "GET /v6/servicedescriptions/{id}/detail",
    }
    assert {name for name, counts in calls.items() if counts} == {"pvog"}


def test_each_text_shows_the_tier_and_origin_of_its_own_ars(v2_gateway: Gateway) -> None:
    nodes = [
        e["node"] for e in v2_gateway.query(SEARCH, {"ars": KOELN})["data"]["services"]["edges"]
    ]
    shown = {(n["ars"], n["tier"], n["originPortal"]["id"]) for n in nodes}
    # An NRW text found in a Köln search is NRW's, a Bund text the Bund's.
    assert (NRW, "STATE", "nrw") in shown
    assert ("000000000000", "FEDERAL", "bund") in shown
    assert (KOELN, "MUNICIPAL", "koeln") in shown
    assert {tier for ars, tier, _ in shown if ars == NRW} == {"STATE"}


def test_every_municipality_of_the_platform_is_a_portal(v2_gateway: Gateway) -> None:
    body = v2_gateway.query(
        '{ portals(tier: MUNICIPAL) { id ars } portal(id: "dormagen") { name } }'
    )
    ids = {p["id"] for p in body["data"]["portals"]}
    assert {"koeln", "dormagen"} <= ids
    assert len(ids) == 4  # --municipalities 4
    assert body["data"]["portal"] == {"name": "Dormagen"}


def test_a_wrong_pvog_client_id_is_a_typed_outage(
    loop_thread: LoopThread, topology: TopologySandboxHandle
) -> None:
    server, gateway = serve(loop_thread, settings_for(topology, PVOG_CLIENT_ID="not-registered"))
    try:
        body = gateway.query(SEARCH, {"ars": KOELN})
    finally:
        gateway.http.close()
        loop_thread.call(server.stop())
    assert body["data"]["services"]["edges"] == []
    assert body["data"]["services"]["outages"] == [
        {"portalId": "pvog", "code": "UPSTREAM_AUTH_FAILED"}
    ]


async def ask_every_upstream(sandbox: TopologySandboxHandle, **env: str) -> dict[str, Any]:
    """Each payment provider's tenant status and FIT-Connect's event log, through the
    gateway's own adapters and credentials: an answer, or the error it raised."""
    topology = load_topology(sandbox.network_file)
    found: dict[str, Any] = {}
    async with (
        new_client(connect_timeout=5, read_timeout=5) as client,  # the gateway's, on aiohttp
        contextlib.AsyncExitStack() as stack,  # closes the mTLS provider's own pool
    ):
        secrets = {**sandbox.env, **env}
        adapters, _ = build_adapters(topology, client, secrets, stack=stack)  # type: ignore[arg-type]
        for provider in topology.payment_providers:
            tenant = provider.tenants[0]
            try:
                await adapters.payments[provider.id].health(
                    tenant.originator_id, tenant.endpoint_id
                )
                found[provider.id] = "ok"
            except SourceError as exc:
                found[provider.id] = exc
        assert adapters.case_events is not None
        try:
            await adapters.case_events.events(str(uuid.uuid4()))
            found["fitconnect"] = "ok"
        except SourceError as exc:
            found["fitconnect"] = exc
    return found


async def test_every_auth_variant_works(topology: TopologySandboxHandle) -> None:
    found = await ask_every_upstream(topology)
    assert {found["epaybl"], found["epay21"], found["giro"]} == {"ok"}  # mTLS, Basic, OAuth2
    # An unknown case is a 404 behind the client-credentials token: authenticated.
    assert isinstance(found["fitconnect"], SourceNotFoundError)


async def test_a_wrong_credential_is_an_auth_error_naming_the_upstream(
    topology: TopologySandboxHandle, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = make_chain(
        tmp_path_factory.mktemp("stranger-tls")
    )  # a CA the provider does not trust
    found = await ask_every_upstream(
        topology,
        EPAY21_PASSWORD="wrong",
        GIRO_CLIENT_SECRET="wrong",
        FITCONNECT_CLIENT_SECRET="wrong",
        EPAYBL_CLIENT_CERT=str(stranger.client_cert),
        EPAYBL_CLIENT_KEY=str(stranger.client_key),
    )
    for name in ("epay21", "giro", "fitconnect"):
        error = found[name]
        assert isinstance(error, SourceAuthError), (name, error)
        assert error.upstream is not None
        assert error.upstream.portal_id == name
    # mutual TLS: a TLS 1.3 server refuses the certificate after the client's handshake is
    # done and may just close the connection: AUTH_FAILED when the alert is read, else
    # UNAVAILABLE; typed either way, and never an answer.
    refused = found["epaybl"]
    assert isinstance(refused, SourceAuthError | SourceUnavailableError), refused
    assert refused.upstream is not None
    assert refused.upstream.portal_id == "epaybl"
