"""The composition root on network file v2: which adapters exist, keyed how, with which auth.

The PVOG is a real loopback server answering the recorded search page
(tests/samples/pvog/search.json: one NRW text and one Bund text, Köln asked).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.domain.outages import OutageLog
from graph.loaders import Loaders
from graph.testing import UvicornServer
from graph.wiring.adapters import build_adapters
from sources.base import Capability, ServiceQuery
from sources.cache import CachedServiceDirectory
from sources.network import NetworkConfigError
from sources.topology import Topology, parse_topology
from tests.helpers.topologies import MINIMAL

SAMPLES = Path(__file__).parents[3] / "samples" / "pvog"
SECRETS = {
    "TEST_FITCONNECT_SECRET": "fc",
    "PORTALGRAPH_IDP_CLIENT_SECRET": "idp",
    "PVOG_CLIENT_ID": "portalgraph-test",
    "EPAY21_PASSWORD": "pw",
}

NETWORK = """
[identity]
issuer = "http://127.0.0.1:9/idp"
audience = "portalgraph"
client_id = "portalgraph"
client_secret_env = "PORTALGRAPH_IDP_CLIENT_SECRET"

[[payment_providers]]
id = "epay21"
name = "epay21"
kind = "epay21"
url = "http://127.0.0.1:9/epay21"

[payment_providers.auth]
type = "basic"
username = "portalgraph"
password_env = "EPAY21_PASSWORD"

[[payment_providers.tenants]]
ars_prefix = "05"
originator_id = "servicenrw"
endpoint_id = "050000000000"

[[payment_providers.tenants]]
ars_prefix = "053150000000"
originator_id = "stadt-koeln"
endpoint_id = "053150000000"

[[portals]]
id = "nrw"
name = "Serviceportal Nordrhein-Westfalen"
tier = "STATE"
ars = "050000000000"

[[portals]]
id = "koeln"
name = "Stadt Köln"
tier = "MUNICIPAL"
ars = "053150000000"

[[portals]]
id = "kommunalportal-nrw"
name = "Kommunalportal.NRW"
tier = "MUNICIPAL"
serves = [{ ars = "051620008008", id = "dormagen", name = "Dormagen" }, "053620024024"]

[portals.accounts]
url = "http://127.0.0.1:9/accounts"

[portals.accounts.auth]
type = "token_exchange"
audience = "kommunalportal-nrw"
client_id = "portalgraph"
client_secret_env = "PORTALGRAPH_IDP_CLIENT_SECRET"
"""


def topology(pvog_url: str = "http://127.0.0.1:9/pvog", extra: str = NETWORK) -> Topology:
    text = MINIMAL.replace("http://127.0.0.1:9/pvog", pvog_url)
    auth = '\n[pvog.auth]\ntype = "headers"\n[pvog.auth.headers]\n'
    auth += 'pvog-sud-api-client-id = { env = "PVOG_CLIENT_ID" }\n'
    text = text.replace("\n[fitconnect]", auth + "\n[fitconnect]", 1)
    return parse_topology(text + extra, source="wired.toml")


async def test_central_services_once_payments_by_provider_accounts_by_entry() -> None:
    async with httpx.AsyncClient() as client:
        adapters, verifier = build_adapters(topology(), client, SECRETS)  # type: ignore[arg-type]
    assert verifier is not None
    assert adapters.directory is not None
    assert adapters.case_events is not None
    assert set(adapters.payments) == {"epay21"}
    assert set(adapters.account_areas) == {"kommunalportal-nrw"}
    # Every municipality of the platform is a Portal, served by the platform's one adapter.
    assert adapters.portals.get("dormagen") is not None
    assert adapters.portals.get("kommunalportal-nrw-053620024024") is not None
    area = adapters.account_areas["kommunalportal-nrw"]
    assert adapters.account_area("dormagen") is area
    assert adapters.account_area("kommunalportal-nrw-053620024024") is area
    assert adapters.account_area("koeln") is None
    # The most specific tenant prefix wins.
    koeln = adapters.payment_tenant("053150000000")
    dormagen = adapters.payment_tenant("051620008008")
    assert koeln is not None
    assert koeln[1].originator_id == "stadt-koeln"
    assert dormagen is not None
    assert dormagen[1].originator_id == "servicenrw"
    assert adapters.payment_tenant("091620000000") is None  # Bavaria: no tenant
    dormagen_portal = adapters.portals.get("dormagen")
    assert dormagen_portal is not None
    assert adapters.capabilities(dormagen_portal) == (
        Capability.SERVICES,
        Capability.ACCOUNTS,
        Capability.STATUS,
        Capability.PAYMENTS,
    )


async def test_a_missing_secret_names_the_upstream_and_the_variable() -> None:
    secrets = {k: v for k, v in SECRETS.items() if k != "EPAY21_PASSWORD"}
    async with httpx.AsyncClient() as client:
        with pytest.raises(NetworkConfigError) as raised:
            build_adapters(topology(), client, secrets)  # type: ignore[arg-type]
    assert "epay21.auth" in str(raised.value)
    assert "EPAY21_PASSWORD" in str(raised.value)


async def test_the_built_in_account_area_needs_token_exchange() -> None:
    extra = NETWORK.replace(
        'type = "token_exchange"',
        'type = "basic"\nusername = "x"\npassword_env = "EPAY21_PASSWORD"',
    )
    extra = extra.replace(
        'audience = "kommunalportal-nrw"\nclient_id = "portalgraph"\nclient_secret_env = "PORTALGRAPH_IDP_CLIENT_SECRET"\n',
        "",
    )
    async with httpx.AsyncClient() as client:
        with pytest.raises(NetworkConfigError, match="token_exchange"):
            build_adapters(topology(extra=extra), client, SECRETS)  # type: ignore[arg-type]


def pvog_app(asked: list[dict[str, Any]]) -> Starlette:
    body = json.loads((SAMPLES / "search.json").read_text(encoding="utf-8"))

    async def search(request: Request) -> JSONResponse:
        asked.append(
            {**request.query_params, "client": request.headers.get("pvog-sud-api-client-id")}
        )
        return JSONResponse(body)

    return Starlette(routes=[Route("/v8beta1/servicedescriptions", search)])


@pytest.fixture
async def pvog() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    asked: list[dict[str, Any]] = []
    server = UvicornServer(pvog_app(asked))
    await server.start()
    try:
        yield server.url, asked
    finally:
        await server.stop()


async def test_one_pvog_call_per_search_and_each_text_is_its_own_arss_portal(
    pvog: tuple[str, list[dict[str, Any]]],
) -> None:
    url, asked = pvog
    async with httpx.AsyncClient(trust_env=False) as client:
        adapters, _ = build_adapters(topology(url), client, SECRETS)  # type: ignore[arg-type]
        loaders = Loaders(OutageLog(), adapters)
        found = await loaders.search(ServiceQuery("053150000000", "Reisepass"))
    assert len(asked) == 1
    assert asked[0]["ars"] == "053150000000"
    assert asked[0]["useArsHierarchy"] == "true"
    assert asked[0]["client"] == "portalgraph-test"  # the PVOG's auth table: headers
    # The NRW text found in a Köln search is NRW's; the Bund text the Bund's.
    assert sorted((r.areas[0], r.portal_id) for r in found) == [
        ("000000000000", "bund"),
        ("050000000000", "nrw"),
    ]
    assert not isinstance(adapters.directory, CachedServiceDirectory)  # no cache given
