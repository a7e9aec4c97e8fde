"""OIDC identity provider standing in for BundID brokered into OIDC (the common portal setup).

Serves discovery, JWKS and a token endpoint with the password grant (demo sign-in),
client credentials (service tokens) and RFC 8693 token exchange (a portal-audience
token for the gateway). `/_sandbox/*` helpers let tests mint tokens and rotate keys.

The issuer URL is known only once the server has bound its port, so the app takes a
zero-argument callable (`Issuer` is a ready-made mutable holder) and reads it per request.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.citizens import PASSWORD, Citizen, demo_citizens
from sandbox.instrument import Instrumented
from sandbox.openapi.common import HTTP_PROBLEMS, with_openapi
from sandbox.openapi.idp import idp_document

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
PUBLIC_CLIENTS = frozenset({"portalgraph-graphiql"})
ACCESS_TTL = 3600
EXCHANGED_TTL = 300  # portal tokens are short-lived: the gateway caches and renews them
DEMO_TTL = 8 * 3600  # a working day of clicking around in GraphiQL
LEEWAY = 5
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


class Issuer:
    """Mutable issuer holder: create it empty, set `url` after the server binds, pass it on."""

    def __init__(self, url: str = "") -> None:
        self.url = url

    def __call__(self) -> str:
        if not self.url:
            raise RuntimeError("the sandbox IdP's issuer URL has not been set yet")
        return self.url.rstrip("/")


def _new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class KeyRing:
    """The signing keys, current first; the retiring key stays published until the next rotation."""

    def __init__(self) -> None:
        self._keys = [_new_key("sandbox-2026-11"), _new_key("sandbox-2026-05")]
        self._public: KeySet | None = None

    @property
    def current(self) -> RSAKey:
        return self._keys[0]

    @property
    def retiring(self) -> RSAKey:
        return self._keys[1]

    def rotate(self) -> RSAKey:
        self._keys = [_new_key(f"sandbox-{secrets.token_hex(4)}"), self._keys[0]]
        self._public = None
        return self.current

    def public_jwks(self) -> KeySetSerialization:
        return KeySet(list(self._keys)).as_dict(private=False)

    def public_keyset(self) -> KeySet:
        """Public keys only, so a verifier holding this set can never sign."""
        if self._public is None:
            self._public = KeySet.import_key_set(self.public_jwks())
        return self._public

    def sign(
        self,
        claims: dict[str, Any],
        header: dict[str, Any] | None = None,
        *,
        retiring: bool = False,
    ) -> str:
        key = self.retiring if retiring else self.current
        full = {"alg": "RS256", "kid": key.kid, "typ": "at+jwt"} | (header or {})
        return jwt.encode(full, claims, key)


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def response(self) -> JSONResponse:
        headers = dict(NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="sandbox-idp"'
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, self.status, headers=headers)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Base64 (authlib does this).
    return (unquote(client_id), unquote(secret)) if sep else None


def citizen_claims(citizen: Citizen) -> dict[str, Any]:
    """The personal claims of a sign-in token (BundID attributes mapped to OIDC names)."""
    claims: dict[str, Any] = {
        "sub": citizen.subject,
        "acr": citizen.acr,
        "amr": [citizen.method],
        "given_name": citizen.given_name,
        "family_name": citizen.family_name,
        "birthdate": citizen.birthdate.isoformat(),
        "address": {
            "street_address": citizen.street_address,
            "postal_code": citizen.postal_code,
            "locality": citizen.locality,
            "country": "DE",
        },
        "email": citizen.email,
        "legacy_postkorb_handle": citizen.legacy_postkorb_handle,
        "account_type": citizen.account_type,
        "scope": "openid profile",
    }
    if citizen.organisation_name:
        claims["organisation_name"] = citizen.organisation_name
    return claims


class IdentityProvider:
    def __init__(
        self,
        issuer: Callable[[], str],
        citizens: list[Citizen],
        clients: dict[str, str],
        portal_audiences: set[str],
        gateway_audience: str,
        keys: KeyRing,
        public_clients: frozenset[str],
    ) -> None:
        self.issuer = issuer
        self.by_login = {c.login: c for c in citizens}
        self.clients = clients
        self.portal_audiences = portal_audiences
        self.gateway_audience = gateway_audience
        self.keys = keys
        self.public_clients = public_clients
        self.demo = [self.by_login[c.login] for c in demo_citizens() if c.login in self.by_login]

    def issue(self, claims: dict[str, Any], audience: str, lifetime: int) -> tuple[str, int]:
        now = int(time.time())
        exp = min(int(claims.pop("exp", now + lifetime)), now + lifetime)
        full = {"iss": self.issuer(), "aud": audience, "iat": now, "nbf": now, "exp": exp}
        full |= {"jti": secrets.token_urlsafe(16)} | claims
        return self.keys.sign(full), exp - now

    def sign_in(self, citizen: Citizen, client_id: str, lifetime: int = ACCESS_TTL) -> str:
        claims = citizen_claims(citizen) | {"azp": client_id, "client_id": client_id}
        return self.issue(claims, self.gateway_audience, lifetime)[0]

    def confidential_client(self, request: Request, form: dict[str, str]) -> str:
        credentials = basic_credentials(request)
        if credentials is None and "client_secret" in form:  # client_secret_post, also allowed
            credentials = (form.get("client_id", ""), form["client_secret"])
        if credentials is None:
            raise OAuthError("invalid_client", "client authentication required", 401)
        client_id, secret = credentials
        expected = self.clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected.encode(), secret.encode()):
            raise OAuthError("invalid_client", "unknown client or wrong secret", 401)
        return client_id

    def password(self, request: Request, form: dict[str, str]) -> dict[str, Any]:
        client_id = form.get("client_id", "")
        if client_id not in self.public_clients:
            client_id = self.confidential_client(request, form)
        citizen = self.by_login.get(form.get("username", ""))
        if citizen is None or not secrets.compare_digest(
            form.get("password", "").encode(), PASSWORD.encode()
        ):
            raise OAuthError("invalid_grant", "unknown user or wrong password")
        token = self.sign_in(citizen, client_id)
        return {"access_token": token, "token_type": "Bearer", "expires_in": ACCESS_TTL}

    def client_credentials(self, request: Request, form: dict[str, str]) -> dict[str, Any]:
        client_id = self.confidential_client(request, form)
        claims: dict[str, Any] = {"sub": client_id, "azp": client_id, "client_id": client_id}
        if form.get("scope"):
            claims["scope"] = form["scope"]
        token, expires_in = self.issue(claims, form.get("audience") or client_id, ACCESS_TTL)
        return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}

    def token_exchange(self, request: Request, form: dict[str, str]) -> dict[str, Any]:
        client_id = self.confidential_client(request, form)
        if form.get("subject_token_type") != ACCESS_TOKEN_TYPE or not form.get("subject_token"):
            raise OAuthError("invalid_request", "an access_token subject_token is required")
        audience = form.get("audience", "")
        if audience not in self.portal_audiences:
            raise OAuthError("invalid_target", "unknown audience")
        subject = self.verify(form["subject_token"])
        kept = ("sub", "acr", "amr", "legacy_postkorb_handle", "account_type", "exp")
        claims = {name: subject[name] for name in kept if name in subject}
        claims |= {"act": {"sub": client_id}, "azp": client_id}
        token, expires_in = self.issue(claims, audience, EXCHANGED_TTL)
        return {
            "access_token": token,
            "issued_token_type": ACCESS_TOKEN_TYPE,
            "token_type": "Bearer",
            "expires_in": expires_in,
        }

    def verify(self, token: str) -> dict[str, Any]:
        """A sign-in token of this IdP for the gateway, or `invalid_grant`."""
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer()},
            aud={"essential": True, "value": self.gateway_audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            decoded = jwt.decode(token, self.keys.public_keyset(), algorithms=["RS256"])
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            # The reason class only, never the token: it is a bearer credential.
            raise OAuthError("invalid_grant", f"subject_token rejected: {exc}") from exc
        return decoded.claims


GRANTS = {
    "password": IdentityProvider.password,
    "client_credentials": IdentityProvider.client_credentials,
    TOKEN_EXCHANGE: IdentityProvider.token_exchange,
}


def routes(idp: IdentityProvider) -> tuple[list[Route], list[Route]]:
    """(upstream routes, sandbox helper routes)."""

    async def discovery(request: Request) -> Response:
        issuer = idp.issuer()
        return JSONResponse(
            {
                "issuer": issuer,
                "jwks_uri": f"{issuer}/jwks",
                "token_endpoint": f"{issuer}/token",
                "grant_types_supported": list(GRANTS),
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "response_types_supported": ["token"],
                "subject_types_supported": ["pairwise"],  # bPK2 differs per service provider
                "id_token_signing_alg_values_supported": ["RS256"],
                "acr_values_supported": [f"STORK-QAA-Level-{n}" for n in range(1, 5)],
            }
        )

    async def jwks(request: Request) -> Response:
        # Short max-age: rotation tests rely on verifiers refetching on an unknown kid anyway.
        headers = {"Cache-Control": "public, max-age=300"}
        return JSONResponse(dict(idp.keys.public_jwks()), headers=headers)

    async def token(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/x-www-form-urlencoded":
            return OAuthError("invalid_request", "form-encoded body required").response()
        form = dict(parse_qsl((await request.body()).decode(errors="replace")))
        grant = GRANTS.get(form.get("grant_type", ""))
        try:
            if grant is None:
                raise OAuthError("unsupported_grant_type", "grant_type not supported")
            return JSONResponse(grant(idp, request, form), headers=NO_STORE)
        except OAuthError as exc:
            return exc.response()

    async def demo_tokens(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "login": c.login,
                    "name": c.display_name,
                    "trustLevel": c.acr,
                    "accessToken": idp.sign_in(c, "portalgraph-graphiql", DEMO_TTL),
                }
                for c in idp.demo
            ],
            headers=NO_STORE,
        )

    async def sign(request: Request) -> Response:
        try:
            body = await request.json()
            claims, header = body["claims"], body.get("header") or {}
            if not isinstance(claims, dict) or not isinstance(header, dict):
                raise TypeError("claims and header must be objects")
            if body.get("key", "current") not in {"current", "retiring"}:
                raise ValueError("key must be 'current' or 'retiring'")
            token = idp.keys.sign(claims, header, retiring=body.get("key") == "retiring")
        except (JoseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            return JSONResponse({"error": "invalid_request", "error_description": str(exc)}, 400)
        return JSONResponse({"token": token})

    async def rotate(request: Request) -> Response:
        idp.keys.rotate()
        return JSONResponse(
            {
                "current": idp.keys.current.kid,
                "published": [idp.keys.current.kid, idp.keys.retiring.kid],
            }
        )

    upstream = [
        Route("/.well-known/openid-configuration", discovery),
        Route("/jwks", jwks),
        Route("/token", token, methods=["POST"]),
    ]
    helpers = [
        Route("/_sandbox/demo-tokens", demo_tokens),
        Route("/_sandbox/sign", sign, methods=["POST"]),
        Route("/_sandbox/rotate", rotate, methods=["POST"]),
    ]
    return upstream, helpers


def create_idp_app(
    *,
    issuer_holder: Callable[[], str],
    citizens: list[Citizen],
    clients: dict[str, str],
    portal_audiences: set[str],
    gateway_audience: str = "portalgraph",
    keys: KeyRing | None = None,
    public_clients: frozenset[str] = PUBLIC_CLIENTS,
) -> Starlette:
    """The IdP app. Pass `keys` to share the ring with account areas (their JWKS callable)."""
    ring = keys or KeyRing()
    idp = IdentityProvider(
        issuer_holder, citizens, clients, portal_audiences, gateway_audience, ring, public_clients
    )
    upstream, helpers = routes(idp)
    # Instrumented answers every /_sandbox/ path itself, so the IdP's own helpers are routed
    # before it: they stay uncounted and unfaulted, while stats/faults reach the wrapper.
    inner = Starlette(routes=upstream, exception_handlers=HTTP_PROBLEMS)
    counted = Instrumented(inner, routes=upstream)
    app = with_openapi(idp_document, counted, helpers)
    app.state.keys = ring
    return app
