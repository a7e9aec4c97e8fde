"""Identity end to end: sandbox IdP, token validation, per-portal token exchange, isolation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import Gateway, Sandbox
from tests.helpers.citizen_links import learn_links
from tests.helpers.submitting import citizen_token, fresh_citizen

ME = "{ me { subject trustLevel signInMethods givenName familyName accountType postfachHandle accounts { portal { id } accountId capabilities } outages { portalId code } } }"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": sandbox.issuer,
        "aud": "portalgraph",
        "sub": "test-subject-0001",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "acr": "STORK-QAA-Level-3",
        "amr": ["ELSTER"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def assert_unauthenticated(gateway: Gateway, token: str, reason: str = "INVALID_TOKEN") -> None:
    response = gateway.http.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={**bearer(token), "Accept-Language": "en"},
    )
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": reason}
    description = {
        "INVALID_TOKEN": "The access token is invalid",
        "TOKEN_EXPIRED": "The access token expired",
    }[reason]
    assert body["errors"][0]["message"].startswith(description)
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{description}"'
    )
    assert "kid" not in response.text
    assert "signature" not in response.text.lower()


def test_anonymous_clients_get_no_me_but_public_data(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    body = gateway.query("{ me { subject } portals { id } }")
    assert body["data"]["me"] is None
    assert body["data"]["portals"]


def test_erika_sees_her_identity_and_accounts_at_every_portal(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    body = gateway.query(ME, token=clean_sandbox.demo_token("erika"))
    me = body["data"]["me"]
    assert (me["givenName"], me["familyName"], me["trustLevel"]) == ("Erika", "Mustermann", "HIGH")
    assert me["accountType"] == "CITIZEN"
    assert me["signInMethods"] == ["eID"]
    # Dormagen's account is at Kommunalportal.NRW, the platform serving it (one account area).
    platform = "kommunalportal-nrw"
    assert {a["portal"]["id"] for a in me["accounts"]} == {"bund", "nrw", "koeln", platform}
    assert me["outages"] == []
    for portal in ("bund", "nrw", "koeln", "dormagen"):
        assert clean_sandbox.calls(portal, "accounts") == {"GET /v1/me": 1}


def test_token_exchange_happens_once_per_linked_entry_and_is_cached(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    # Network file v2: the token is exchanged only for the `[[portals]]` entries the viewer
    # is linked to, once each, then cached (v1 exchanged it for every portal; the demo
    # citizens' links and exchanges are made by the shared gateway's fixture, so a citizen
    # no other test signs in is used here).
    citizen = fresh_citizen(clean_sandbox, "koeln", skip=11)
    entries = {a.portal_id for a in citizen.accounts}
    assert entries <= {"bund", "nrw", "koeln"}  # no platform municipality: one entry each
    token = citizen_token(clean_sandbox, citizen)
    learn_links(gateway, token, sorted(entries))  # names each portal once, as a client does
    assert clean_sandbox.calls("identity", "idp").get("POST /token", 0) == len(entries)
    clean_sandbox.reset_stats()
    me = gateway.query(ME, token=token)["data"]["me"]
    assert {a["portal"]["id"] for a in me["accounts"]} == entries
    gateway.query(ME, token=token)
    assert clean_sandbox.calls("identity", "idp").get("POST /token", 0) == 0  # cached
    assert clean_sandbox.calls("koeln", "accounts") == {"GET /v1/me": 2}


def test_max_signed_in_with_a_password_has_basic_trust_and_no_koeln_account(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    me = gateway.query(ME, token=clean_sandbox.demo_token("max"))["data"]["me"]
    assert me["trustLevel"] == "BASIC"
    assert {a["portal"]["id"] for a in me["accounts"]} == {"bund", "nrw", "kommunalportal-nrw"}


def test_an_organisation_account_is_marked(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    me = gateway.query("{ me { accountType givenName } }", token=clean_sandbox.demo_token("firma"))
    assert me["data"]["me"]["accountType"] == "ORGANISATION"


def test_two_citizens_querying_at_once_never_see_each_other(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    tokens = {login: clean_sandbox.demo_token(login) for login in ("erika", "max")}
    expected = {
        login: gateway.query(ME, token=token)["data"]["me"] for login, token in tokens.items()
    }
    assert expected["erika"]["subject"] != expected["max"]["subject"]

    def ask(login: str) -> tuple[str, dict[str, Any]]:
        return login, gateway.query(ME, token=tokens[login])["data"]["me"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        for login, me in pool.map(ask, ["erika", "max"] * 20):
            assert me == expected[login]


def test_a_portal_account_area_failing_shows_as_an_outage(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    clean_sandbox.fault("nrw", "accounts", status=503)
    body = gateway.query(ME, token=clean_sandbox.demo_token("erika"))
    me = body["data"]["me"]
    assert {a["portal"]["id"] for a in me["accounts"]} == {"bund", "koeln", "kommunalportal-nrw"}
    assert me["outages"] == [{"portalId": "nrw", "code": "UPSTREAM_UNAVAILABLE"}]
    assert [e["extensions"]["portalId"] for e in body["errors"]] == ["nrw"]


# The rejection battery: each case its own test.


def test_rejects_alg_none(gateway: Gateway, sandbox: Sandbox) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(claims(sandbox)).encode()).rstrip(b"=").decode()
    assert_unauthenticated(gateway, f"{header}.{payload}.")


def test_rejects_hs256_signed_with_the_rsa_public_key(gateway: Gateway, sandbox: Sandbox) -> None:
    public = sandbox.http.get(sandbox.issuer + "/jwks").json()["keys"][0]
    secret = json.dumps(public, sort_keys=True).encode()
    header = base64.urlsafe_b64encode(
        json.dumps({"alg": "HS256", "kid": public["kid"]}).encode()
    ).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims(sandbox)).encode()).rstrip(b"=")
    signature = base64.urlsafe_b64encode(
        hmac.new(secret, header + b"." + payload, hashlib.sha256).digest()
    ).rstrip(b"=")
    assert_unauthenticated(gateway, b".".join([header, payload, signature]).decode())


def test_rejects_a_wrong_signature(gateway: Gateway, sandbox: Sandbox) -> None:
    kid = sandbox.http.get(sandbox.issuer + "/jwks").json()["keys"][0]["kid"]
    forged = RSAKey.generate_key(2048, parameters={"kid": kid})
    assert_unauthenticated(
        gateway, jwt.encode({"alg": "RS256", "kid": kid}, claims(sandbox), forged)
    )


def test_rejects_an_unknown_kid(gateway: Gateway, sandbox: Sandbox) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "not-published"})
    before = sandbox.calls("identity", "idp").get("GET /jwks", 0)
    assert_unauthenticated(
        gateway, jwt.encode({"alg": "RS256", "kid": "not-published"}, claims(sandbox), stranger)
    )
    assert sandbox.calls("identity", "idp").get("GET /jwks", 0) <= before + 1


def test_rejects_an_expired_token(gateway: Gateway, sandbox: Sandbox) -> None:
    now = int(time.time())
    assert_unauthenticated(
        gateway,
        sandbox.sign(claims(sandbox, iat=now - 7200, nbf=now - 7200, exp=now - 3600)),
        reason="TOKEN_EXPIRED",
    )
    # Expired and meant for someone else: invalid, not merely expired.
    assert_unauthenticated(
        gateway,
        sandbox.sign(claims(sandbox, aud="someone-else", nbf=now - 7200, exp=now - 3600)),
    )


def test_rejects_nbf_in_the_future(gateway: Gateway, sandbox: Sandbox) -> None:
    assert_unauthenticated(gateway, sandbox.sign(claims(sandbox, nbf=int(time.time()) + 3600)))


def test_rejects_a_wrong_issuer(gateway: Gateway, sandbox: Sandbox) -> None:
    assert_unauthenticated(gateway, sandbox.sign(claims(sandbox, iss="https://evil.example")))


def test_rejects_a_wrong_audience(gateway: Gateway, sandbox: Sandbox) -> None:
    assert_unauthenticated(gateway, sandbox.sign(claims(sandbox, aud="someone-else")))


def test_rejects_a_token_without_subject(gateway: Gateway, sandbox: Sandbox) -> None:
    assert_unauthenticated(gateway, sandbox.sign(claims(sandbox, sub=None)))


def test_rejects_a_token_for_another_portals_audience(gateway: Gateway, sandbox: Sandbox) -> None:
    assert_unauthenticated(
        gateway, sandbox.sign(claims(sandbox, aud="urn:portalgraph:portal:koeln"))
    )


def test_accepts_a_small_clock_skew(gateway: Gateway, sandbox: Sandbox) -> None:
    token = sandbox.sign(claims(sandbox, nbf=int(time.time()) + 10))
    response = gateway.http.post(
        "/graphql", json={"query": "{ me { subject } }"}, headers=bearer(token)
    )
    assert response.json()["data"]["me"]["subject"] == "test-subject-0001"


def test_rejects_garbage_and_other_schemes(gateway: Gateway, sandbox: Sandbox) -> None:
    assert_unauthenticated(gateway, "not.a.jwt")
    response = gateway.http.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={"Authorization": "Basic Zm9vOmJhcg=="},
    )
    assert response.status_code == 401


def test_keys_keep_working_while_the_jwks_endpoint_is_down(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    known = clean_sandbox.demo_token("erika")
    assert gateway.query("{ me { subject } }", token=known)["data"]["me"]
    clean_sandbox.fault("identity", "idp", status=503, path_prefix="/jwks")
    assert gateway.query("{ me { subject } }", token=known)["data"]["me"]
    stranger = RSAKey.generate_key(2048, parameters={"kid": "brand-new-key"})
    token = jwt.encode({"alg": "RS256", "kid": "brand-new-key"}, claims(clean_sandbox), stranger)
    response = gateway.http.post(
        "/graphql", json={"query": "{ me { subject } }"}, headers=bearer(token)
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert gateway.http.get("/healthz").status_code == 200


def ws_url(gateway: Gateway) -> str:
    return gateway.url.replace("http://", "ws://") + "/graphql"


def test_websocket_with_a_bad_token_is_closed_with_4403(gateway: Gateway, sandbox: Sandbox) -> None:
    with connect(ws_url(gateway), subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        )
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_websocket_authenticates_in_connection_init(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = clean_sandbox.demo_token("erika")
    with connect(ws_url(gateway), subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "{ me { givenName } }"}}
            )
        )
        message = json.loads(ws.recv(timeout=5))
    assert message["type"] == "next"
    assert message["payload"]["data"]["me"] == {"givenName": "Erika"}
