"""A well-formed ARS inside a Land that names no place is refused as UNKNOWN_REGION.

Before: `services(ars: "059999999999")` (Nordrhein-Westfalen, no such place) answered with
the federal and Land services as if the region existed. The one PVOG's municipality
directory (`/v3/locations`) decides, once per ARS: the answer sits in the shared cache, so
replicas sharing Redis ask it once between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.helpers.redis_server import redis_url

EN = {"Accept-Language": "en-GB,en;q=0.9"}
DE = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
SERVICES = "query($a: String) { services(ars: $a) { totalCount outages { portalId } } }"


@pytest.fixture(scope="module")
def replicas(loop_thread: LoopThread, gateway_settings: Settings) -> Iterator[list[Gateway]]:
    """Two gateways with the public-data cache on, sharing one Redis."""
    with redis_url() as url:
        # The cache gives up on Redis after 75 ms by default: on a traced, loaded CI run
        # that turned the shared hit into a second directory call (what this file counts).
        settings = gateway_settings.override(cache=True, redis_url=url, redis_timeout=1.0)
        servers = [UvicornServer(create_app(settings)) for _ in range(2)]
        for server in servers:
            loop_thread.call(server.start())
        gateways = [Gateway(server.url) for server in servers]
        yield gateways
        for gateway, server in zip(gateways, servers, strict=True):
            gateway.http.close()
            loop_thread.call(server.stop())


def locations_calls(sandbox: Sandbox, portal: str) -> int:
    return sum(n for path, n in sandbox.calls(portal).items() if "/v3/locations" in path)


def search_in(gateway: Gateway, ars: str, headers: dict[str, str]) -> Any:
    response = gateway.http.post(
        "/graphql", json={"query": SERVICES, "variables": {"a": ars}}, headers=headers
    )
    assert response.status_code == 200
    return response.json()


def test_an_unknown_place_in_a_land_is_named_after_one_directory_call(
    replicas: list[Gateway], clean_sandbox: Sandbox
) -> None:
    first, second = replicas
    english = search_in(first, "059999999999", EN)
    assert english["data"] is None
    assert english["errors"][0]["extensions"] == {"code": "UNKNOWN_REGION", "argument": "ars"}
    assert english["errors"][0]["message"] == (
        "Argument 'ars': the region 059999999999 is unknown:"
        " the municipality directory knows no place with this ARS"
    )
    german = search_in(second, "059999999999", DE)
    assert german["errors"][0]["extensions"]["code"] == "UNKNOWN_REGION"
    assert german["errors"][0]["message"] == (
        "Argument 'ars': die Region 059999999999 ist unbekannt:"
        " das Gemeindeverzeichnis kennt keinen Ort mit diesem ARS"
    )
    search_in(first, "05999999", EN)  # malformed (8 digits): refused before any lookup
    assert locations_calls(clean_sandbox, "pvog") == 1  # the one PVOG, once for both


def test_a_place_without_a_portal_is_searched_after_one_lookup(
    replicas: list[Gateway], clean_sandbox: Sandbox
) -> None:
    for gateway in replicas * 2:  # Bochum: in the directory, with no portal of its own
        answer = search_in(gateway, "059110000000", EN)
        assert "errors" not in answer, answer
        assert answer["data"]["services"]["totalCount"] > 0
    assert locations_calls(clean_sandbox, "pvog") == 1


def test_regions_with_a_portal_need_no_lookup(
    replicas: list[Gateway], clean_sandbox: Sandbox
) -> None:
    # The Bund, a Land, a portal's own ARS, a Kreis by 5 digits containing a portal
    # (Dormagen in the Rhein-Kreis Neuss): known without asking the directory. Nördlingen
    # is in Bayern, where no portal of this network serves: its places are not checked, so
    # the federal services answer as before.
    for ars in ("000000000000", "05", "053150000000", "051620008008", "05162", "097790194194"):
        answer = search_in(replicas[0], ars, EN)
        assert "errors" not in answer, (ars, answer)
    assert locations_calls(clean_sandbox, "pvog") == 0


def test_a_failing_directory_is_no_verdict_on_the_region(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    clean_sandbox.fault("pvog", status=503, path_prefix="/v3/locations")
    answer = search_in(gateway, "059990000000", EN)
    # The services are there; the outage is reported as one, not as an unknown region.
    assert answer["data"]["services"]["totalCount"] > 0
    assert {"portalId": "pvog"} in answer["data"]["services"]["outages"]
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["UPSTREAM_UNAVAILABLE"]
