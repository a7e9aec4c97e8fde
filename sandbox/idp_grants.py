"""The sandbox IdP's token endpoint: its grants, client authentication and token claims.

The password grant (demo sign-in), client credentials (service tokens) and RFC 8693 token
exchange (a portal-audience token for the gateway); errors are RFC 6749 §5.2 bodies.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from joserfc import jwt
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox.citizens import PASSWORD, Citizen, demo_citizens
from sandbox.idp_keys import KeyRing

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
ACCESS_TTL = 3600
EXCHANGED_TTL = 300  # portal tokens are short-lived: the gateway caches and renews them
LEEWAY = 5
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


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
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Base64 (as the gateway sends them).
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
