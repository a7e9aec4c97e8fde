"""The sandbox IdP, the account areas and the demo citizens, driven in-process over ASGI."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.types import ASGIApp

from sandbox.accounts import create_accounts_app
from sandbox.citizens import DORMAGEN, KOELN, citizen_index, demo_citizens
from sandbox.citizens_generated import generate_citizens
from sandbox.idp import create_idp_app
from sandbox.idp_grants import ACCESS_TOKEN_TYPE
from sandbox.idp_keys import Issuer, KeyRing

ISSUER = "http://idp.sandbox.test"
GATEWAY = "portalgraph"
SECRET = "gateway-secret"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
CLIENTS = {GATEWAY: SECRET, "fitconnect-sender": "sender-secret"}
KOELN_AUD, DORMAGEN_AUD = "urn:portalgraph:portal:koeln", "urn:portalgraph:portal:dormagen"
AUDIENCES = {f"urn:portalgraph:portal:{p}" for p in ("bund", "nrw", "koeln", "dormagen")}
CITIZENS = generate_citizens(40)
ERIKA = CITIZENS[0]


@pytest.fixture(scope="module")
def keys() -> KeyRing:
    return KeyRing()  # RSA generation is the slow part; rotation tests use their own ring


def client_for(app: ASGIApp, base_url: str = ISSUER) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def idp_app(keys: KeyRing) -> ASGIApp:
    return create_idp_app(
        issuer_holder=Issuer(ISSUER),
        citizens=CITIZENS,
        clients=CLIENTS,
        portal_audiences=AUDIENCES,
        keys=keys,
    )


@pytest.fixture
async def idp(keys: KeyRing) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(idp_app(keys)) as client:
        yield client


async def verify(idp: httpx.AsyncClient, token: str, audience: str) -> dict[str, Any]:
    keyset = KeySet.import_key_set((await idp.get("/jwks")).json())
    decoded = jwt.decode(token, keyset, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(decoded.claims)
    return decoded.claims


def header_of(token: str) -> dict[str, Any]:
    segment = token.split(".", maxsplit=1)[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=="))
    return header


async def sign_in(idp: httpx.AsyncClient, login: str = "erika") -> str:
    form = {"grant_type": "password", "username": login, "password": "demo"}
    response = await idp.post("/token", data=form | {"client_id": "portalgraph-graphiql"})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def exchange(
    idp: httpx.AsyncClient, subject: str, audience: str, secret: str = SECRET
) -> httpx.Response:
    form = {"subject_token": subject, "subject_token_type": ACCESS_TOKEN_TYPE}
    form |= {"grant_type": GRANT, "audience": audience}
    return await idp.post("/token", data=form, auth=(GATEWAY, secret))


async def signed(idp: httpx.AsyncClient, key: str = "current", **claims: Any) -> str:
    """A token with a valid IdP signature; `exp`/`nbf` are offsets from now, None drops a claim."""
    now = int(time.time())
    base: dict[str, Any] = {"iss": ISSUER, "aud": GATEWAY, "sub": ERIKA.subject, "iat": now}
    merged = base | {"exp": 600} | claims
    merged |= {k: now + merged[k] for k in ("exp", "nbf") if merged.get(k) is not None}
    body = {"claims": {k: v for k, v in merged.items() if v is not None}, "key": key}
    response = await idp.post("/_sandbox/sign", json=body)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def test_discovery_and_jwks(idp: httpx.AsyncClient) -> None:
    config = (await idp.get("/.well-known/openid-configuration")).json()
    assert (config["issuer"], config["jwks_uri"]) == (ISSUER, f"{ISSUER}/jwks")
    assert config["token_endpoint"] == f"{ISSUER}/token"
    assert set(config["grant_types_supported"]) == {"password", "client_credentials", GRANT}
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "STORK-QAA-Level-4" in config["acr_values_supported"]
    published = (await idp.get("/jwks")).json()["keys"]
    assert [k["kid"] for k in published] == ["sandbox-2026-11", "sandbox-2026-05"]
    for key in published:
        assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


async def test_password_grant_issues_a_signed_personal_token(idp: httpx.AsyncClient) -> None:
    form = {"grant_type": "password", "username": "erika", "password": "demo"}
    response = await idp.post("/token", data=form | {"client_id": "portalgraph-graphiql"})
    body = response.json()
    assert (response.status_code, body["token_type"], body["expires_in"]) == (200, "Bearer", 3600)
    assert header_of(body["access_token"])["kid"] == "sandbox-2026-11"
    claims = await verify(idp, body["access_token"], GATEWAY)
    assert (claims["sub"], claims["amr"]) == (ERIKA.subject, ["eID"])
    assert claims["acr"] == "STORK-QAA-Level-4"
    assert (claims["given_name"], claims["family_name"]) == ("Erika", "Mustermann")
    assert claims["birthdate"] == "1964-08-12"
    assert claims["address"] == {
        "street_address": "Heidestraße 17",
        "postal_code": "51147",
        "locality": "Köln",
        "country": "DE",
    }
    assert claims["email"] == "erika.mustermann@example.org"
    assert claims["legacy_postkorb_handle"] == ERIKA.legacy_postkorb_handle
    assert (claims["account_type"], claims["scope"]) == ("citizen", "openid profile")
    assert "organisation_name" not in claims
    assert claims["nbf"] <= claims["iat"] < claims["exp"] == claims["iat"] + 3600
    assert claims["jti"]


async def test_password_grant_for_organisations_and_generated_logins(
    idp: httpx.AsyncClient,
) -> None:
    firma = await verify(idp, await sign_in(idp, "firma"), GATEWAY)
    assert (firma["account_type"], firma["acr"]) == ("organisation", "STORK-QAA-Level-3")
    assert firma["organisation_name"] == "Rheinische Backwaren GmbH"
    claims = await verify(idp, await sign_in(idp, CITIZENS[10].login), GATEWAY)
    assert (claims["sub"], claims["acr"]) == (CITIZENS[10].subject, CITIZENS[10].acr)


@pytest.mark.parametrize(
    ("username", "password", "client_id", "status", "error"),
    [
        ("erika", "wrong", "portalgraph-graphiql", 400, "invalid_grant"),
        ("nobody", "demo", "portalgraph-graphiql", 400, "invalid_grant"),
        ("erika", "demo", "someone-else", 401, "invalid_client"),
    ],
)
async def test_password_grant_refusals(
    idp: httpx.AsyncClient, username: str, password: str, client_id: str, status: int, error: str
) -> None:
    form = {"grant_type": "password", "username": username, "password": password}
    response = await idp.post("/token", data=form | {"client_id": client_id})
    assert (response.status_code, response.json()["error"]) == (status, error)


async def test_unsupported_grant_and_non_form_body(idp: httpx.AsyncClient) -> None:
    response = await idp.post("/token", data={"grant_type": "authorization_code"})
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")
    response = await idp.post("/token", json={"grant_type": "password"})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


async def test_client_credentials_issue_service_tokens(idp: httpx.AsyncClient) -> None:
    form = {"grant_type": "client_credentials", "audience": "urn:fitconnect:submission"}
    response = await idp.post("/token", data=form, auth=("fitconnect-sender", "sender-secret"))
    claims = await verify(idp, response.json()["access_token"], "urn:fitconnect:submission")
    assert claims["sub"] == "fitconnect-sender"
    assert not {"given_name", "family_name", "acr", "legacy_postkorb_handle"} & claims.keys()
    plain = await idp.post(
        "/token", data={"grant_type": "client_credentials"}, auth=(GATEWAY, SECRET)
    )
    assert (await verify(idp, plain.json()["access_token"], GATEWAY))["sub"] == GATEWAY
    wrong = await idp.post("/token", data=form, auth=("fitconnect-sender", "nope"))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic")


async def test_token_exchange_switches_audience_and_records_the_actor(
    idp: httpx.AsyncClient,
) -> None:
    subject = await sign_in(idp, "erika")
    response = await exchange(idp, subject, KOELN_AUD)
    body = response.json()
    assert (body["issued_token_type"], body["token_type"]) == (ACCESS_TOKEN_TYPE, "Bearer")
    assert body["expires_in"] == 300
    claims = await verify(idp, body["access_token"], KOELN_AUD)
    original = await verify(idp, subject, GATEWAY)
    for name in ("sub", "acr", "amr", "legacy_postkorb_handle", "account_type"):
        assert claims[name] == original[name]
    assert (claims["act"], claims["azp"]) == ({"sub": GATEWAY}, GATEWAY)
    assert claims["exp"] <= int(time.time()) + 300
    assert not {"given_name", "birthdate", "address", "email"} & claims.keys()


async def test_token_exchange_never_outlives_the_subject_token(idp: httpx.AsyncClient) -> None:
    subject = await signed(idp, key="retiring", exp=60, acr="STORK-QAA-Level-1")
    response = await exchange(idp, subject, DORMAGEN_AUD)
    assert response.json()["expires_in"] <= 60
    claims = await verify(idp, response.json()["access_token"], DORMAGEN_AUD)
    assert claims["exp"] == (await verify(idp, subject, GATEWAY))["exp"]


@pytest.mark.parametrize(
    "claims",
    [{"exp": -120}, {"iss": "http://evil.test"}, {"aud": KOELN_AUD}, {"sub": None}, {"nbf": 600}],
    ids=["expired", "wrong-iss", "wrong-aud", "missing-sub", "nbf-in-future"],
)
async def test_token_exchange_refuses_invalid_subject_tokens(
    idp: httpx.AsyncClient, claims: dict[str, Any]
) -> None:
    response = await exchange(idp, await signed(idp, **claims), KOELN_AUD)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


async def test_token_exchange_refuses_foreign_signatures_and_garbage(
    idp: httpx.AsyncClient,
) -> None:
    forger = RSAKey.generate_key(2048, parameters={"kid": "sandbox-2026-11"})
    claims = {"iss": ISSUER, "aud": GATEWAY, "sub": ERIKA.subject, "exp": int(time.time()) + 600}
    forged = jwt.encode({"alg": "RS256", "kid": "sandbox-2026-11"}, claims, forger)
    for subject in (forged, "not-a-jwt"):
        response = await exchange(idp, subject, KOELN_AUD)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


async def test_token_exchange_refuses_unknown_audience_and_bad_clients(
    idp: httpx.AsyncClient,
) -> None:
    subject = await sign_in(idp)
    response = await exchange(idp, subject, "urn:portalgraph:portal:muenchen")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_target")
    response = await exchange(idp, subject, KOELN_AUD, secret="guess")
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    form = {"grant_type": GRANT, "subject_token": subject, "audience": KOELN_AUD}
    public = await idp.post("/token", data=form | {"client_id": "portalgraph-graphiql"})
    assert public.status_code == 401


async def test_demo_tokens_and_sign_helper(idp: httpx.AsyncClient) -> None:
    demo = (await idp.get("/_sandbox/demo-tokens")).json()
    assert [(d["login"], d["name"], d["trustLevel"]) for d in demo] == [
        ("erika", "Erika Mustermann", "STORK-QAA-Level-4"),
        ("max", "Max Mustermann", "STORK-QAA-Level-1"),
        ("lena", "Lena Schäfer", "STORK-QAA-Level-3"),
        ("firma", "Rheinische Backwaren GmbH", "STORK-QAA-Level-3"),
    ]
    claims = await verify(idp, demo[1]["accessToken"], GATEWAY)
    assert claims["exp"] - claims["iat"] == 8 * 3600
    bad: Any
    for bad in ({"claims": {}, "key": "other"}, {"claims": []}, [1]):
        assert (await idp.post("/_sandbox/sign", json=bad)).status_code == 400
    body = {"claims": {"sub": "x"}, "header": {"kid": "unknown-kid"}}
    token = (await idp.post("/_sandbox/sign", json=body)).json()["token"]
    assert header_of(token)["kid"] == "unknown-kid"


async def test_helpers_bypass_the_instrumentation_while_the_token_endpoint_is_counted(
    idp: httpx.AsyncClient,
) -> None:
    await sign_in(idp)
    await idp.get("/_sandbox/demo-tokens")
    assert (await idp.get("/_sandbox/stats")).json()["calls"] == {"POST /token": 1}
    await idp.put("/_sandbox/faults", json={"status": 503, "path_prefix": "/token"})
    assert (await idp.post("/token", data={"grant_type": "password"})).status_code == 503
    assert (await idp.get("/jwks")).status_code == 200


async def test_rotation_publishes_a_new_signer_and_drops_the_oldest() -> None:
    async with client_for(idp_app(KeyRing())) as idp:
        rotated = (await idp.post("/_sandbox/rotate")).json()
        assert rotated["current"] not in {"sandbox-2026-11", "sandbox-2026-05"}
        kids = [k["kid"] for k in (await idp.get("/jwks")).json()["keys"]]
        assert kids == [rotated["current"], "sandbox-2026-11"]
        token = await sign_in(idp)
        assert header_of(token)["kid"] == rotated["current"]
        await verify(idp, token, GATEWAY)


def accounts_app(keys: KeyRing, portal_id: str) -> ASGIApp:
    return create_accounts_app(
        portal_id=portal_id,
        audience=f"urn:portalgraph:portal:{portal_id}",
        issuer=Issuer(ISSUER),
        jwks=keys.public_keyset,
        citizens=citizen_index(CITIZENS),
    )


async def test_accounts_accept_only_their_own_audience(
    idp: httpx.AsyncClient, keys: KeyRing
) -> None:
    erika = await sign_in(idp, "erika")
    koeln_token = (await exchange(idp, erika, KOELN_AUD)).json()["access_token"]
    dormagen_token = (await exchange(idp, erika, DORMAGEN_AUD)).json()["access_token"]
    async with client_for(accounts_app(keys, "koeln"), "http://koeln.sandbox.test") as koeln:
        me = await koeln.get("/v1/me", headers={"Authorization": f"Bearer {koeln_token}"})
        assert me.status_code == 200
        account = ERIKA.account_at("koeln")
        assert account is not None
        assert me.json() == {
            "accountId": account.account_id,
            "portalId": "koeln",
            "createdAt": "2024-05-02T09:13:00Z",
            "services": ["applications", "payments", "inbox"],
            "displayName": "Erika Mustermann",
        }
        expired = await signed(idp, aud=KOELN_AUD, exp=-60)
        for token in (dormagen_token, erika, expired, "garbage"):
            refused = await koeln.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 401
            assert refused.headers["content-type"] == "application/problem+json"
        assert (await koeln.get("/v1/me")).status_code == 401


async def test_accounts_answer_404_without_an_account_there(
    idp: httpx.AsyncClient, keys: KeyRing
) -> None:
    lena = (await exchange(idp, await sign_in(idp, "lena"), DORMAGEN_AUD)).json()["access_token"]
    async with client_for(
        accounts_app(keys, "dormagen"), "http://dormagen.sandbox.test"
    ) as dormagen:
        response = await dormagen.get("/v1/me", headers={"Authorization": f"Bearer {lena}"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "Lena" not in response.text


def test_demo_citizens_are_fixed() -> None:
    first, second = demo_citizens(), demo_citizens()
    assert first == second == generate_citizens(4, seed=7)
    erika, max_, lena, firma = first
    assert (erika.login, erika.method, erika.trust_level, erika.ars) == (
        "erika",
        "eID",
        4,
        KOELN.ars,
    )
    assert [a.portal_id for a in erika.accounts] == ["bund", "nrw", "koeln", "dormagen"]
    assert (max_.method, max_.trust_level, max_.ars) == ("Benutzername", 1, DORMAGEN.ars)
    assert [a.portal_id for a in max_.accounts] == ["bund", "nrw", "dormagen"]
    assert (lena.family_name, lena.method, lena.trust_level) == ("Schäfer", "ELSTER", 3)
    assert [a.portal_id for a in lena.accounts] == ["bund", "nrw", "koeln"]
    assert (firma.account_type, firma.trust_level) == ("organisation", 3)
    assert [a.portal_id for a in firma.accounts] == ["bund", "koeln"]
    for citizen in first:
        assert len(citizen.subject) == 44
        assert citizen.given_name not in citizen.subject
    assert citizen_index(first)["erika"] is citizen_index(first)[erika.subject] is erika


def test_generated_citizens_are_deterministic_and_spread() -> None:
    citizens = generate_citizens(10_000)
    assert citizens == generate_citizens(10_000)
    assert citizens[:500] == generate_citizens(500)
    assert citizens[4:] != generate_citizens(10_000, seed=1)[4:]
    generated = citizens[4:]
    for unique in ("subject", "login", "legacy_postkorb_handle", "email"):
        assert len({getattr(c, unique) for c in citizens}) == len(citizens)
    towns = Counter(c.locality for c in generated)
    assert 0.40 < towns["Köln"] / len(generated) < 0.50
    assert 0.12 < towns["Dormagen"] / len(generated) < 0.18
    assert len(towns) == 7
    portals = Counter(a.portal_id for c in generated for a in c.accounts)
    assert portals["bund"] == len(generated)
    assert 0.75 < portals["nrw"] / len(generated) < 0.85
    assert 0.65 < portals["koeln"] / towns["Köln"] < 0.85
    levels = Counter(c.trust_level for c in generated)
    assert set(levels) == {1, 3, 4}
    assert all(levels[n] > 1000 for n in (1, 3, 4))
    assert 100 < sum(c.account_type == "organisation" for c in generated) < 350
    for citizen in generated:
        home = {KOELN.ars: "koeln", DORMAGEN.ars: "dormagen"}.get(citizen.ars)
        assert {a.portal_id for a in citizen.accounts} <= {"bund", "nrw", home}
        if citizen.ars == KOELN.ars:
            assert 50667 <= int(citizen.postal_code) <= 51149
        if citizen.ars == DORMAGEN.ars:
            assert citizen.postal_code in {"41539", "41540", "41541", "41542"}
