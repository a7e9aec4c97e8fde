"""The routing adapter: routes signed by the Self-Service-Portal, bare hosts, area parameters."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import RSAKey

from sources._http import Upstream
from sources.base import Capability, UpstreamRef
from sources.routing import FitConnectRouting, area_params

SSP_KEY = RSAKey.generate_key(2048, parameters={"kid": "ssp-1", "alg": "PS512"})
ROGUE_KEY = RSAKey.generate_key(2048, parameters={"kid": "ssp-1", "alg": "PS512"})
DESTINATION = "ac715f34-333e-41f4-9bb5-186b309ea233"
LEIKA = "99134005017000"
HOSTS = {"submission-api-testing.fit-connect.fitko.dev": "https://submission.example/v1base"}


def signature(signer: RSAKey = SSP_KEY, **changes: Any) -> str:
    payload = {
        "submissionHost": "submission-api-testing.fit-connect.fitko.dev",
        "iss": "https://portal.auth-testing.fit-connect.fitko.dev",
        "services": [
            {
                "gebietIDs": ["urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:12345"],
                "leistungIDs": [f"urn:de:fim:leika:leistung:{LEIKA}"],
            }
        ],
        "destinationId": DESTINATION,
        "iat": 1637685592,
        "jti": "ae37e58b-e280-4706-b99e-738f24c8d98f",
    } | changes
    header = {"kid": signer.kid, "typ": "jwt", "alg": "PS512"}
    return jws.serialize_compact(header, json.dumps(payload).encode(), signer, ["PS512"])


class Fake:
    def __init__(self, routes: list[dict[str, Any]]) -> None:
        self.routes = routes
        self.seen: list[httpx.Request] = []

    def routing(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        body = {"count": len(self.routes), "offset": 0, "totalCount": len(self.routes)}
        return httpx.Response(200, json=body | {"routes": self.routes})

    def ssp(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        public = dict(SSP_KEY.as_dict(private=False)) | {"alg": "PS512", "key_ops": ["verify"]}
        return httpx.Response(200, json={"keys": [public]})


def router(fake: Fake, *, keys: bool = True) -> FitConnectRouting:
    def upstream(handler: Any, url: str) -> Upstream:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        return Upstream(
            client,
            url,
            ref=UpstreamRef("routing", Capability.SUBMISSIONS),
        )

    return FitConnectRouting(
        upstream(fake.routing, "https://routing.example"),
        signing_keys=upstream(fake.ssp, "https://ssp.example/.well-known/jwks.json")
        if keys
        else None,
        hosts=HOSTS,
    )


def route(token: str, destination: str = DESTINATION) -> dict[str, Any]:
    return {"destinationId": destination, "destinationSignature": token, "destinationName": "Amt"}


async def test_a_route_signed_by_the_ssp_maps_its_bare_host_to_the_api_base() -> None:
    fake = Fake([route(signature())])
    found = await router(fake).route(LEIKA, "053150000000")
    assert found is not None
    assert (found.destination_id, found.submission_host, found.submission_url) == (
        DESTINATION,
        "submission-api-testing.fit-connect.fitko.dev",
        "https://submission.example/v1base",
    )
    hosts = [r.url.host for r in fake.seen]
    assert hosts == ["routing.example", "ssp.example"]  # the key set is not on the Routing host
    assert fake.seen[0].url.params["ars"] == "053150000000"


async def test_an_unknown_host_gives_a_route_without_an_api() -> None:
    fake = Fake([route(signature(submissionHost="evil.example"))])
    found = await router(fake).route(LEIKA, "05315")
    assert found is not None
    assert (found.submission_host, found.submission_url) == ("evil.example", None)


@pytest.mark.parametrize(
    "token",
    [
        signature(ROGUE_KEY),  # the right kid, but not the SSP's key
        signature(destinationId="00000000-0000-4000-8000-000000000000"),  # another destination
        signature(services=[{"gebietIDs": [], "leistungIDs": ["urn:de:fim:leika:leistung:1"]}]),
        signature(submissionHost="https://a b"),  # not a host name
    ],
)
async def test_routes_that_do_not_verify_are_dropped(token: str) -> None:
    fake = Fake([route(token)])
    routing = router(fake)
    assert await routing.route(LEIKA, "053150000000") is None
    assert routing.rejected_routes == 1


async def test_without_the_ssp_key_set_no_route_is_trusted() -> None:
    fake = Fake([route(signature())])
    assert await router(fake, keys=False).route(LEIKA, "053150000000") is None


async def test_a_later_route_is_used_when_the_first_is_forged() -> None:
    fake = Fake([route(signature(ROGUE_KEY)), route(signature())])
    found = await router(fake).route(LEIKA, "053150000000")
    assert found is not None
    assert found.destination_id == DESTINATION


async def test_ags_and_area_id_are_sent_as_themselves() -> None:
    fake = Fake([])
    routing = router(fake)
    await routing.route_by(LEIKA, ags="05315000")
    await routing.route_by(LEIKA, area_id="1024")
    assert [dict(r.url.params) for r in fake.seen] == [
        {"leikaKey": LEIKA, "ags": "05315000", "limit": "10"},
        {"leikaKey": LEIKA, "areaId": "1024", "limit": "10"},
    ]


@pytest.mark.parametrize(
    "area",
    [{}, {"ars": "05", "ags": "05"}, {"ars": "0531"}, {"ags": "0531500"}, {"area_id": "x"}],
)
def test_exactly_one_well_formed_area_parameter(area: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"exactly one|malformed"):
        area_params(**area)


@pytest.mark.parametrize("ars", ["05", "053", "05315", "053150000", "053150000000"])
def test_every_ars_length_of_the_routing_api_is_accepted(ars: str) -> None:
    assert area_params(ars=ars) == {"ars": ars}
