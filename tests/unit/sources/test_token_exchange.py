"""RFC 8693 token exchange on the gateway's wire, against the sandbox's IdP on loopback.

The form post, Basic client authentication, the endpoint's refusals as typed errors of
the identity upstream (their codes as under authlib) and a 5xx as the provider
unavailable.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from sandbox.citizens_generated import generate_citizens
from sandbox.idp import create_idp_app
from sandbox.idp_keys import Issuer, KeyRing
from sandbox.servers import ServerGroup
from sources._http import Upstream
from sources._pool import UpstreamClient, new_client
from sources.base import ErrorCode, IdentityRecord
from sources.errors import SourceAuthError, SourceUnavailableError
from sources.idp import IDENTITY, OidcProvider

GATEWAY = "portalgraph"
SECRET = "gateway%41secret:+"  # RFC 6749 §2.3.1: form-encoded before Base64, else "%41" is "A"
KOELN = "urn:portalgraph:portal:koeln"


@dataclass
class Idp:
    url: str
    http: httpx.AsyncClient


@pytest.fixture
async def idp() -> AsyncIterator[Idp]:
    issuer, servers = Issuer(), ServerGroup()
    app = create_idp_app(
        issuer_holder=issuer,
        citizens=generate_citizens(4),
        clients={GATEWAY: SECRET},
        portal_audiences={KOELN},
        keys=KeyRing(),
    )
    issuer.url = await servers.start("idp", app)
    async with httpx.AsyncClient(base_url=issuer.url, trust_env=False) as http:
        yield Idp(issuer.url, http)
    await servers.stop()


@pytest.fixture
async def client() -> AsyncIterator[UpstreamClient]:
    async with new_client() as made:
        yield made


def provider(idp: Idp, client: UpstreamClient, secret: str = SECRET) -> OidcProvider:
    upstream = Upstream(client, idp.url, ref=IDENTITY, timeout=5.0)
    return OidcProvider(IdentityRecord(idp.url, GATEWAY, GATEWAY, "ENV"), upstream, secret)


async def sign_in(idp: Idp) -> str:
    form = {"grant_type": "password", "username": "erika", "password": "demo"}
    answer = await idp.http.post("/token", data=form | {"client_id": "portalgraph-graphiql"})
    token: str = answer.json()["access_token"]
    return token


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


async def test_the_exchange_goes_over_the_wire_and_issues_the_portals_token(
    idp: Idp, client: UpstreamClient
) -> None:
    assert provider(idp, client)._wire is client.wire  # the gateway's wire, not a client of its own
    subject = await sign_in(idp)
    issued = await provider(idp, client).exchange(subject, KOELN)
    claims = claims_of(issued.access_token)
    assert (claims["aud"], claims["sub"]) == (KOELN, claims_of(subject)["sub"])
    assert issued.expires_at > float(str(claims["iat"]))
    stats = (await idp.http.get("/_sandbox/stats")).json()["calls"]
    assert stats.get("POST /token") == 2  # the sign-in and the exchange


@pytest.mark.parametrize(
    ("secret", "audience", "subject", "detail"),
    [
        ("wrong", KOELN, None, "HTTP 401 invalid_client"),
        (SECRET, "urn:portalgraph:portal:nowhere", None, "HTTP 400 invalid_target"),
        (SECRET, KOELN, "not-a-token", "HTTP 400 invalid_grant"),
    ],
)
async def test_refusals_are_auth_errors_of_the_identity_upstream(
    idp: Idp, client: UpstreamClient, secret: str, audience: str, subject: str | None, detail: str
) -> None:
    token = subject or await sign_in(idp)
    with pytest.raises(SourceAuthError) as refused:
        await provider(idp, client, secret).exchange(token, audience)
    assert str(refused.value) == f"token endpoint refused: {detail}"
    assert (refused.value.code, refused.value.upstream) == (
        ErrorCode.UPSTREAM_AUTH_FAILED,
        IDENTITY,
    )
    assert token not in str(refused.value)


async def test_a_failing_token_endpoint_is_the_provider_unavailable(
    idp: Idp, client: UpstreamClient
) -> None:
    subject = await sign_in(idp)
    fault = {"status": 503, "path_prefix": "/token"}
    assert (await idp.http.put("/_sandbox/faults", json=fault)).status_code < 300
    with pytest.raises(SourceUnavailableError) as failed:
        await provider(idp, client).exchange(subject, KOELN)
    assert failed.value.upstream == IDENTITY


async def test_a_client_without_a_wire_gets_one_of_the_providers_own(idp: Idp) -> None:
    async with httpx.AsyncClient(trust_env=False) as plain:
        upstream = Upstream(plain, idp.url, ref=IDENTITY, timeout=5.0)
        own = OidcProvider(IdentityRecord(idp.url, GATEWAY, GATEWAY, "ENV"), upstream, SECRET)
        issued = await own.exchange(await sign_in(idp), KOELN)
        assert claims_of(issued.access_token)["aud"] == KOELN
        await own.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            own._wire.session()
