"""A FIT-Connect destination per authority: every municipality of the platform is routed to its own."""

from __future__ import annotations

import json
from typing import Any

import httpx
from joserfc import jws
from joserfc.jwk import KeySet

from sandbox.destination import destination_id
from sandbox.destination_document import LEIKA_URN, destination_region
from sandbox.fitconnect_municipal import GROUP
from sandbox.scale import DOG_TAX_KEY, slug
from sandbox.topology_document import FITCONNECT_CLIENT_ID
from sources.topology import Topology, load_topology
from tests.helpers.topology_sandbox import TopologySandboxHandle


def fit_headers(topology: TopologySandboxHandle) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": FITCONNECT_CLIENT_ID,
        "client_secret": topology.env["FITCONNECT_CLIENT_SECRET"],
    }
    with topology.client("fitconnect") as client:
        token = client.post("/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def towns(parsed: Topology) -> list[Any]:
    """The platform's municipalities without a hand-written catalogue (not Dormagen)."""
    platform = next(e for e in parsed.portals if e.id == "kommunalportal-nrw")
    return [s for s in platform.serves if s.ars != "051620008008"]


def route(parsed: Topology, ars: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        routes = client.get(
            parsed.fitconnect.routing_url + "/v1/routes",
            params={"leikaKey": DOG_TAX_KEY, "ars": ars},
        ).json()["routes"]
        keys = KeySet.import_key_set(client.get(parsed.fitconnect.route_keys_url).json())
    signed = jws.deserialize_compact(routes[0]["destinationSignature"], keys, algorithms=["PS512"])
    return routes[0], json.loads(signed.payload)


def test_each_municipality_has_a_destination_of_its_own_behind_the_default_base(
    topology: TopologySandboxHandle,
) -> None:
    parsed = load_topology(topology.network_file)
    served = towns(parsed)
    assert len(served) == 2
    headers = fit_headers(topology)
    encryption_keys = set()
    for town in served:
        found, claims = route(parsed, town.ars)
        assert found["destinationId"] == destination_id(str(town.id)) == claims["destinationId"]
        assert town.id == slug(str(town.name))
        base = parsed.fitconnect.submission_base(claims["submissionHost"])
        assert (
            base
            == parsed.fitconnect.submission_url
            == f"{topology.url('fitconnect')}/zustelldienst/{GROUP}"
        )
        with httpx.Client(trust_env=False, timeout=10, headers=headers) as client:
            destination = client.get(f"{base}/v1/destinations/{found['destinationId']}").json()
            service = destination["services"][0]
            assert service["identifier"] == LEIKA_URN + DOG_TAX_KEY
            assert service["regions"] == ["DE" + destination_region(str(town.id), town.ars)]
            kid = destination["encryptionKid"]
            key = client.get(f"{base}/v1/destinations/{found['destinationId']}/keys/{kid}").json()
            encryption_keys.add((key["kid"], key["n"]))
            created = client.post(
                f"{base}/v1/submissions",
                json={
                    "destinationId": found["destinationId"],
                    "serviceType": {"identifier": LEIKA_URN + DOG_TAX_KEY, "name": "Hundesteuer"},
                },
            )
            assert created.status_code == 201, created.text
            submission = created.json()["submissionId"]
            # The submission is found again by its id (a body the intake refuses, not a 404).
            assert client.put(f"{base}/v1/submissions/{submission}", json={}).status_code == 422
    # Own key ids, one shared key pair [I].
    assert len({kid for kid, _ in encryption_keys}) == 2
    assert len({n for _, n in encryption_keys}) == 1


def test_a_municipal_case_log_is_signed_by_its_own_destination(
    topology: TopologySandboxHandle,
) -> None:
    parsed = load_topology(topology.network_file)
    base = parsed.fitconnect.submission_url
    headers = fit_headers(topology)
    with httpx.Client(trust_env=False, timeout=30, headers=headers) as client:
        made = client.post(f"{base}/_sandbox/applications", json={"login": "erika"}).json()
        case = made["caseId"]
        for _ in ("notify", "accept"):
            assert client.post(f"{base}/_sandbox/cases/{case}/advance").status_code == 200
        log = client.get(f"{base}/v1/cases/{case}/events").json()["eventLog"]
        assert len(log) == 4  # create, submit, notify (Zustelldienst), accept (destination)
        unverified = jws.extract_compact(log[-1].encode())
        issuer = json.loads(unverified.payload)["iss"]
        assert issuer in {destination_id(str(t.id)) for t in towns(parsed)}
        jwk = client.get(f"{base}/v1/destinations/{issuer}/keys/{unverified.protected['kid']}")
        key = KeySet.import_key_set({"keys": [jwk.json()]})
        verified = jws.deserialize_compact(log[-1], key, algorithms=["PS512"])
        assert json.loads(verified.payload)["iss"] == issuer
        unknown = client.get(f"{base}/v1/cases/00000000-0000-4000-8000-000000000000/events")
        assert unknown.status_code == 404
