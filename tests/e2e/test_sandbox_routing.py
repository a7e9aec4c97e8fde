"""The sandbox's Routing API over HTTP: every area parameter, areas, SSP-signed bare hosts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from sandbox.routing import submission_host
from tests.conftest import Sandbox

REISEPASS = "99085001012000"


def routing(sandbox: Sandbox, path: str, **params: Any) -> Any:
    return sandbox.http.get(sandbox.url("routing", "routing") + path, params=params)


def routes(sandbox: Sandbox, **params: str) -> list[dict[str, Any]]:
    response = routing(sandbox, "/v1/routes", **{"leikaKey": REISEPASS, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["routes"]
    return found


@pytest.mark.parametrize(
    ("area", "portal"),
    [
        ({"ars": "053150000000"}, "koeln"),
        ({"ars": "05315"}, "koeln"),
        ({"ars": "05"}, "nrw"),
        ({"ags": "05315000"}, "koeln"),
        ({"ags": "05162008"}, "dormagen"),  # the ARS adds the Gemeindeverband digits
        ({"ags": "05"}, "nrw"),
    ],
)
def test_ars_and_ags_of_every_published_length(
    sandbox: Sandbox, area: dict[str, str], portal: str
) -> None:
    [route] = routes(sandbox, **area)
    assert route["destinationShortName"] == portal


def test_area_ids_from_the_area_search(sandbox: Sandbox) -> None:
    found = routing(sandbox, "/v1/areas", areaSearchexpression="Dorm*").json()
    by_zip = routing(sandbox, "/v1/areas", areaSearchexpression="41539").json()
    [dormagen] = found["areas"]
    assert (dormagen["name"], dormagen["type"]) == ("Dormagen", "Stadt")
    assert by_zip["areas"] == found["areas"]
    [route] = routes(sandbox, areaId=dormagen["id"])
    assert route["destinationShortName"] == "dormagen"
    assert routes(sandbox, areaId="999999") == []


@pytest.mark.parametrize(
    "params",
    [{}, {"ars": "0531"}, {"ags": "0531500"}, {"areaId": "x"}, {"ars": "05", "ags": "05"}],
)
def test_not_exactly_one_well_formed_area_is_refused(
    sandbox: Sandbox, params: dict[str, str]
) -> None:
    assert routing(sandbox, "/v1/routes", leikaKey=REISEPASS, **params).status_code == 400


def test_routes_are_signed_by_the_ssp_for_a_bare_host(sandbox: Sandbox) -> None:
    [route] = routes(sandbox, ars="051620008008")
    keys = routing(sandbox, "/ssp/.well-known/jwks.json").json()
    assert routing(sandbox, "/.well-known/jwks.json").status_code == 404  # not the Routing API's
    assert routing(sandbox, "/v1/info").json() == {"version": {"major": 2, "minor": 0, "patch": 0}}
    token = str(route["destinationSignature"])
    decoded = jws.deserialize_compact(token, KeySet.import_key_set(keys), algorithms=["PS512"])
    signed = json.loads(decoded.payload)
    assert signed["submissionHost"] == submission_host("dormagen")
    assert signed["iss"].endswith("/ssp")
    assert signed["destinationId"] == route["destinationId"]
    assert signed["services"][0]["leistungIDs"] == [f"urn:de:fim:leika:leistung:{REISEPASS}"]
    assert len(keys["keys"][0]["n"]) >= 683
    # The network file maps the bare host to the Submission API the gateway may send to.
    toml = sandbox.toml_path.read_text(encoding="utf-8")
    assert f'"{submission_host("dormagen")}" = "{sandbox.url("dormagen", "submissions")}"' in toml
