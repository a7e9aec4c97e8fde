"""Per-upstream auth: each variant against httpx's MockTransport (wire shape, caching, errors)."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from sandbox.tls import make_chain
from sources._upstream_auth import (
    MissingSecretsError,
    build_auth,
    client_options,
    resolve_auth,
    static_headers,
    tls_context,
)
from sources.base.upstream_auth import (
    BasicCredentials,
    ClientAuthMethod,
    HeaderValue,
    MutualTls,
    OAuth2ClientCredentials,
    StaticHeaders,
    UpstreamAuth,
)
from sources.errors import SourceAuthError

TOKEN_URL = "https://auth.example/token"


class Upstream:
    """A token endpoint and a resource that accepts only the current token."""

    def __init__(self, *, expires_in: float = 300, token_status: int = 200) -> None:
        self.token_requests: list[httpx.Request] = []
        self.resource_requests: list[httpx.Request] = []
        self.expires_in = expires_in
        self.token_status = token_status
        self.reject_next = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            self.token_requests.append(request)
            if self.token_status != 200:
                return httpx.Response(self.token_status, json={"error": "invalid_client"})
            body = {
                "access_token": f"token-{len(self.token_requests)}",
                "token_type": "Bearer",
                "expires_in": self.expires_in,
            }
            return httpx.Response(200, json=body)
        self.resource_requests.append(request)
        if self.reject_next:
            self.reject_next -= 1
            return httpx.Response(401)
        return httpx.Response(200, json={"auth": request.headers.get("authorization")})

    def client(self, auth: httpx.Auth) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler), auth=auth)

    def token_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))


def credentials(method: ClientAuthMethod, **extra: str) -> UpstreamAuth:
    secret = None if method is ClientAuthMethod.PRIVATE_KEY_JWT else "FIT_SECRET"
    key = "FIT_KEY" if method is ClientAuthMethod.PRIVATE_KEY_JWT else None
    return UpstreamAuth(
        OAuth2ClientCredentials(
            token_url=TOKEN_URL,
            client_id=extra.pop("client_id", "sender:1"),
            method=method,
            client_secret_env=secret,
            private_key_file_env=key,
            scope="send:region:DE05",
            **extra,
        ),
        headers=(("x-extra", HeaderValue(literal="1")),),
    )


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


async def test_client_secret_post_sends_form_fields_and_reuses_the_token() -> None:
    upstream = Upstream()
    resolved = resolve_auth(credentials(ClientAuthMethod.CLIENT_SECRET_POST), {"FIT_SECRET": "s3"})
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with upstream.client(auth) as client:
            first = await client.get("https://submission.example/v1/cases")
            second = await client.get("https://submission.example/v1/cases")
    assert first.json() == second.json() == {"auth": "Bearer token-1"}
    assert len(upstream.token_requests) == 1
    sent = form(upstream.token_requests[0])
    assert sent == {
        "client_id": "sender:1",
        "client_secret": "s3",
        "grant_type": "client_credentials",
        "scope": "send:region:DE05",
    }
    assert "authorization" not in upstream.token_requests[0].headers
    assert upstream.resource_requests[0].headers["x-extra"] == "1"


async def test_client_secret_basic_form_encodes_both_parts_before_base64() -> None:
    upstream = Upstream()
    auth_table = credentials(ClientAuthMethod.CLIENT_SECRET_BASIC, audience="xbezahldienste")
    resolved = resolve_auth(auth_table, {"FIT_SECRET": "p&ss word"})
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="giro", capability="payments")
        async with upstream.client(auth) as client:
            await client.get("https://pay.example/status/o/e")
    request = upstream.token_requests[0]
    scheme, _, encoded = request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "sender%3A1:p%26ss%20word"  # RFC 6749 §2.3.1
    assert "client_secret" not in form(request)
    assert form(request)["audience"] == "xbezahldienste"


@pytest.mark.parametrize("kind", ["rsa", "ec"])
async def test_private_key_jwt_signs_an_assertion_the_token_endpoint_can_verify(
    kind: str, tmp_path: Path
) -> None:
    private = (
        rsa.generate_private_key(65537, 2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(pem)
    upstream = Upstream()
    auth_table = credentials(ClientAuthMethod.PRIVATE_KEY_JWT, key_id="portalgraph-2026")
    resolved = resolve_auth(auth_table, {"FIT_KEY": str(key_file)})
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with upstream.client(auth) as client:
            await client.get("https://submission.example/v1/cases")
    sent = form(upstream.token_requests[0])
    assert sent["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public = RSAKey.import_key(public_pem) if kind == "rsa" else ECKey.import_key(public_pem)
    token = jwt.decode(sent["client_assertion"], public)
    assert token.header["kid"] == "portalgraph-2026"
    assert token.header["alg"] == ("RS256" if kind == "rsa" else "ES256")
    assert token.claims["iss"] == token.claims["sub"] == "sender:1"
    assert token.claims["aud"] == TOKEN_URL
    assert token.claims["exp"] - token.claims["iat"] == 60


async def test_concurrent_callers_share_one_token_fetch() -> None:
    upstream = Upstream()
    resolved = resolve_auth(credentials(ClientAuthMethod.CLIENT_SECRET_POST), {"FIT_SECRET": "s"})
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with upstream.client(auth) as client:
            answers = await asyncio.gather(*(client.get("https://s.example/x") for _ in range(20)))
    assert {a.json()["auth"] for a in answers} == {"Bearer token-1"}
    assert len(upstream.token_requests) == 1


async def test_a_token_is_renewed_before_it_expires() -> None:
    upstream = Upstream(expires_in=0.2)  # margin: half the lifetime
    resolved = resolve_auth(credentials(ClientAuthMethod.CLIENT_SECRET_POST), {"FIT_SECRET": "s"})
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with upstream.client(auth) as client:
            await client.get("https://s.example/x")
            await asyncio.sleep(0.12)
            renewed = await client.get("https://s.example/x")
    assert renewed.json()["auth"] == "Bearer token-2"


async def test_a_401_renews_the_token_once_and_a_second_401_stands() -> None:
    upstream = Upstream()
    resolved = resolve_auth(credentials(ClientAuthMethod.CLIENT_SECRET_POST), {"FIT_SECRET": "s"})
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with upstream.client(auth) as client:
            upstream.reject_next = 1
            recovered = await client.get("https://s.example/x")
            upstream.reject_next = 2
            refused = await client.get("https://s.example/x")
    assert recovered.json()["auth"] == "Bearer token-2"
    assert refused.status_code == 401
    assert len(upstream.token_requests) == 3  # one each time, never a loop


async def test_a_refused_token_request_is_a_source_auth_error_without_secrets() -> None:
    upstream = Upstream(token_status=401)
    resolved = resolve_auth(
        credentials(ClientAuthMethod.CLIENT_SECRET_POST), {"FIT_SECRET": "hush"}
    )
    async with upstream.token_client() as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="fitconnect", capability="status")
        async with upstream.client(auth) as client:
            with pytest.raises(SourceAuthError) as caught:
                await client.get("https://s.example/x")
    assert caught.value.portal_id == "fitconnect"
    assert "401" in str(caught.value)
    assert "hush" not in str(caught.value)
    assert upstream.resource_requests == []


async def test_a_token_response_without_access_token_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps({"token_type": "Bearer"}))

    resolved = resolve_auth(credentials(ClientAuthMethod.CLIENT_SECRET_POST), {"FIT_SECRET": "s"})
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as tokens:
        auth = build_auth(resolved, token_client=tokens, upstream="pvog", capability="services")
        assert auth.tokens is not None
        with pytest.raises(SourceAuthError, match="no access_token"):
            await auth.tokens.token()


def test_basic_and_static_headers_take_their_values_from_the_environment() -> None:
    basic = UpstreamAuth(BasicCredentials("portalgraph", "EPAY21_PASSWORD"))
    headers = static_headers(resolve_auth(basic, {"EPAY21_PASSWORD": "pw"}))
    assert headers == {"Authorization": "Basic " + base64.b64encode(b"portalgraph:pw").decode()}
    pvog = UpstreamAuth(
        StaticHeaders(),
        headers=(
            ("pvog-sud-api-client-id", HeaderValue(env="PVOG_CLIENT_ID")),
            ("accept-language", HeaderValue(literal="de")),
        ),
    )
    resolved = resolve_auth(pvog, {"PVOG_CLIENT_ID": "client-42"})
    assert static_headers(resolved) == {
        "pvog-sud-api-client-id": "client-42",
        "accept-language": "de",
    }
    assert tls_context(resolved) is None


def test_every_missing_variable_is_named_at_once_and_secrets_stay_out_of_repr() -> None:
    mtls = UpstreamAuth(MutualTls("CERT", "KEY", "CA"), headers=(("x", HeaderValue(env="X")),))
    with pytest.raises(MissingSecretsError) as caught:
        resolve_auth(mtls, {"CERT": "/c.pem"})
    assert [env for _, env in caught.value.missing] == ["KEY", "CA", "X"]
    resolved = resolve_auth(UpstreamAuth(BasicCredentials("u", "P")), {"P": "very-secret"})
    assert "very-secret" not in repr(resolved)


def test_upstream_auth_refuses_a_sync_client() -> None:
    resolved = resolve_auth(UpstreamAuth(BasicCredentials("u", "P")), {"P": "p"})
    # Basic never asks a token endpoint: the token client is not used, so never opened.
    auth = build_auth(resolved, token_client=httpx.AsyncClient(), upstream="x", capability="p")
    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    with (
        httpx.Client(transport=transport, auth=auth) as sync,
        pytest.raises(RuntimeError, match="AsyncClient"),
    ):
        sync.get("https://x.example/")


async def test_client_options_give_mtls_its_own_verify_context(tmp_path: Path) -> None:
    chain = make_chain(tmp_path)
    environ = {"C": chain.client_cert, "K": chain.client_key, "A": chain.ca}
    async with httpx.AsyncClient() as tokens:
        mtls = client_options(
            resolve_auth(UpstreamAuth(MutualTls("C", "K", "A")), environ),
            token_client=tokens,
            upstream="epaybl",
            capability="payments",
        )
        basic = client_options(
            resolve_auth(UpstreamAuth(BasicCredentials("u", "P")), {"P": "p"}),
            token_client=tokens,
            upstream="epay21",
            capability="payments",
        )
    assert isinstance(mtls["verify"], ssl.SSLContext)
    assert "verify" not in basic
    assert basic["auth"].headers["Authorization"].startswith("Basic ")
