"""FIT-Connect event logs: who signs which SET, key shapes, paging, tampering, advancing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from sandbox.destination import Destination
from tests.unit.sandbox.upstreams import Upstreams, bearer

SCHEMA = "https://schema.fitko.de/fit-connect/set-payload/1.2.2/set-payload.schema.json"
EVENTS = "https://schema.fitko.de/fit-connect/events/"
AUTHORITY = {"forward-submission", "accept-submission", "reject-submission"}


@pytest.fixture(scope="module")
def net() -> Upstreams:
    return Upstreams()


async def erika_apps(net: Upstreams, portal: str) -> list[dict[str, Any]]:
    token = await net.citizen_token("erika", portal)
    async with net.client(portal, "accounts") as client:
        apps: list[dict[str, Any]] = (
            await client.get("/v1/me/applications", headers=bearer(token))
        ).json()["applications"]
    return apps


def check_key(jwk: dict[str, Any]) -> None:
    """FIT-Connect's JWK rules: RSA ≥ 4096 (n ≥ 683 characters), PS512 verify key, x5c."""
    assert jwk["kty"] == "RSA"
    assert jwk["alg"] == "PS512"
    assert jwk["key_ops"] == ["verify"]
    assert len(jwk["n"]) >= 683
    assert jwk["e"] == "AQAB"
    assert len(jwk["x5c"]) == 2  # the key's certificate, then the test CA's


async def event_log(net: Upstreams, portal: str, case_id: str) -> tuple[list[str], KeySet]:
    """The case's SETs and every key that may have signed them (Zustelldienst, destination)."""
    token = await net.service_token(f"urn:portalgraph:fitconnect:{portal}")
    async with net.client(portal, "status") as client:
        response = await client.get(f"/v1/cases/{case_id}/events", headers=bearer(token))
        assert response.status_code == 200, response.text
        jwks = (await client.get("/.well-known/jwks.json")).json()
        destination = Destination(portal)
        path = f"/v1/destinations/{destination.id}/keys/{destination.signing_kid}"
        signing = (await client.get(path)).json()
    for jwk in [*jwks["keys"], signing]:
        check_key(jwk)
    log: list[str] = response.json()["eventLog"]
    return log, KeySet.import_key_set({"keys": [*jwks["keys"], signing]})


def verify(token: str, keys: KeySet) -> tuple[dict[str, Any], dict[str, Any]]:
    decoded = jws.deserialize_compact(token, keys, algorithms=["PS512"])
    return dict(decoded.headers()), json.loads(decoded.payload)


async def test_sets_follow_the_spec_and_verify(net: Upstreams) -> None:
    apps = await erika_apps(net, "bund")
    rejected = None
    destination = Destination("bund")
    for app in apps:
        log, keys = await event_log(net, "bund", app["caseId"])
        names = []
        for token in log:
            header, claims = verify(token, keys)
            assert header["typ"] == "secevent+jwt"
            assert header["alg"] == "PS512"
            assert claims["$schema"] == SCHEMA
            assert claims["sub"] == f"submission:{app['submissionId']}"
            assert claims["txn"] == f"case:{app['caseId']}"
            [(uri, payload)] = claims["events"].items()
            name = uri.removeprefix(EVENTS)
            names.append(name)
            if name in AUTHORITY:  # written and signed by the destination, named by its UUID
                assert claims["iss"].lower() == destination.id == app["destinationId"]
                assert header["kid"] == destination.signing_kid
            else:
                assert claims["iss"] == "http://status.bund.sandbox.test"
            if name == "reject-submission":
                rejected = payload
                assert claims["iss"] == destination.id.upper()  # as the spec example writes
        assert names[:2] == ["create-submission", "submit-submission"]
    assert rejected is not None
    assert set(rejected["problems"][0]) == {"type", "title", "detail", "instance"}


async def test_the_log_pages_with_limit_and_offset(net: Upstreams) -> None:
    app = (await erika_apps(net, "koeln"))[0]
    whole, _ = await event_log(net, "koeln", app["caseId"])
    token = await net.service_token("urn:portalgraph:fitconnect:koeln")
    pages: list[str] = []
    async with net.client("koeln", "status") as client:
        for offset in range(len(whole)):
            body = (
                await client.get(
                    f"/v1/cases/{app['caseId']}/events?limit=1&offset={offset}",
                    headers=bearer(token),
                )
            ).json()
            assert (body["count"], body["offset"], body["totalCount"]) == (1, offset, len(whole))
            pages += body["eventLog"]
        too_big = await client.get(
            f"/v1/cases/{app['caseId']}/events?limit=501", headers=bearer(token)
        )
    assert pages == whole
    assert too_big.status_code == 400


async def test_service_token_audience_is_checked(net: Upstreams) -> None:
    case_id = (await erika_apps(net, "koeln"))[0]["caseId"]
    wrong = await net.service_token("urn:portalgraph:fitconnect:nrw")
    citizen = await net.citizen_token("erika", "koeln")
    async with net.client("koeln", "status") as client:
        for headers in ({}, bearer(wrong), bearer(citizen)):
            response = await client.get(f"/v1/cases/{case_id}/events", headers=headers)
            assert response.status_code == 401
    log, _ = await event_log(net, "koeln", case_id)
    assert log
    token = await net.service_token("urn:portalgraph:fitconnect:nrw")
    async with net.client("nrw", "status") as client:  # a Köln case is unknown at NRW
        assert (
            await client.get(f"/v1/cases/{case_id}/events", headers=bearer(token))
        ).status_code == 404


async def test_tamper_breaks_exactly_the_newest_set_of_chosen_cases(net: Upstreams) -> None:
    first, second = (app["caseId"] for app in await erika_apps(net, "koeln"))
    async with net.client("koeln", "status") as client:
        response = await client.put("/_sandbox/tamper", json={"caseIds": [first]})
        assert response.status_code == 200
        try:
            log, keys = await event_log(net, "koeln", first)
            for token in log[:-1]:
                verify(token, keys)
            with pytest.raises(BadSignatureError):
                verify(log[-1], keys)
            for token in (await event_log(net, "koeln", second))[0]:
                verify(token, keys)
        finally:
            await client.delete("/_sandbox/tamper")
        log, keys = await event_log(net, "koeln", first)
        verify(log[-1], keys)
        stats = (await client.get("/_sandbox/stats")).json()["calls"]
    assert "PUT /_sandbox/tamper" not in stats
    assert stats["GET /v1/cases/{caseId}/events"] >= 4


async def test_advance_appends_event_and_status_update(net: Upstreams) -> None:
    app = next(a for a in await erika_apps(net, "nrw") if a["leikaKey"] == "99124002012000")
    before, keys = await event_log(net, "nrw", app["caseId"])
    async with net.client("nrw", "status") as client:
        response = await client.post(f"/_sandbox/cases/{app['caseId']}/advance")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body == {
            "caseId": app["caseId"],
            "applicationId": app["applicationId"],
            "event": EVENTS + "notify-submission",
            "status": "RECEIVED",
        }
        steps = [
            (await client.post(f"/_sandbox/cases/{app['caseId']}/advance")).json() for _ in range(2)
        ]
        assert [s["status"] for s in steps] == ["PROCESSING", "COMPLETED"]
        assert steps[1]["event"] is None  # after accept only the ZBP status moves
        assert (await client.post(f"/_sandbox/cases/{app['caseId']}/advance")).status_code == 409
        assert (await client.post("/_sandbox/cases/unknown/advance")).status_code == 404
    after, _ = await event_log(net, "nrw", app["caseId"])
    assert after[: len(before)] == before
    assert [next(iter(verify(t, keys)[1]["events"])) for t in after[len(before) :]] == [
        EVENTS + "notify-submission",
        EVENTS + "accept-submission",
    ]
    token = await net.citizen_token("erika", "nrw")
    async with net.client("nrw", "inbox") as client:
        updates = (await client.get("/v1/statusupdates", headers=bearer(token))).json()
    mine = [
        u["status"] for u in updates["statusUpdates"] if u["applicationId"] == app["applicationId"]
    ]
    assert mine[-3:] == ["RECEIVED", "PROCESSING", "COMPLETED"]
    async with net.client("nrw", "accounts") as client:
        listed = (await client.get("/v1/me/applications", headers=bearer(token))).json()
    assert (
        next(a for a in listed["applications"] if a["caseId"] == app["caseId"])["updatedAt"]
        > app["updatedAt"]
    )


async def test_advance_can_let_the_authority_reject(net: Upstreams) -> None:
    app = next(a for a in await erika_apps(net, "nrw") if a["leikaKey"] == "99124002012000")
    async with net.client("nrw", "status") as client:
        fresh = await client.post("/_sandbox/applications", json={"login": "erika"})
        case_id = fresh.json()["caseId"]
        assert (await client.post(f"/_sandbox/cases/{case_id}/advance")).status_code == 200
        rejected = await client.post(f"/_sandbox/cases/{case_id}/advance?outcome=reject")
        assert rejected.json()["event"] == EVENTS + "reject-submission"
        assert (await client.post(f"/_sandbox/cases/{case_id}/advance")).status_code == 409
    log, keys = await event_log(net, "nrw", case_id)
    header, claims = verify(log[-1], keys)
    assert header["kid"] == Destination("nrw").signing_kid
    assert claims["iss"] == Destination("nrw").id.upper()
    assert claims["events"][EVENTS + "reject-submission"]["problems"]
    assert app["caseId"] != case_id
