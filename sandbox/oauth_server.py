"""An upstream's own OAuth2 token endpoint: client credentials, `client_secret_post` only.

FIT-Connect and GiroCheckout-style payment providers run their own authorization server
(RFC 6749 §4.4): the client id and secret come as form fields, and the scopes a client
may ask for are fixed when it is registered (FIT-Connect: in the Self-Service-Portal,
`send:region:DE05`). `TokenEndpoint` answers `POST <path>` with an RS256 JWT for one
audience and serves its key set; `check` is the `BearerCheck` its resource server uses.
HTTP Basic client authentication is refused (401 `invalid_client`): the sandbox holds
each upstream to the one method its network file entry declares.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import NO_STORE, BearerCheck
from sandbox.idp_keys import KeyRing

LIFETIME = 300
CLIENT_CREDENTIALS = "client_credentials"


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status, headers=NO_STORE
    )


class TokenEndpoint:
    """Issues client-credentials tokens for `audience`; `clients` maps id → (secret, scopes)."""

    def __init__(
        self,
        *,
        issuer: Callable[[], str],
        audience: str,
        clients: Mapping[str, tuple[str, frozenset[str]]],
        path: str = "/token",
        keys: KeyRing | None = None,
    ) -> None:
        """`keys` may be shared between endpoints: issuer and audience still tell tokens apart."""
        self.issuer, self.audience, self.clients, self.path = issuer, audience, clients, path
        self.keys = keys or KeyRing()
        self.check = BearerCheck(issuer=issuer, jwks=self.keys.public_keyset, audience=audience)

    def routes(self) -> list[Route]:
        return [
            Route(self.path, self.token, methods=["POST"]),
            Route(self.path.rsplit("/", 1)[0] + "/jwks", self.jwks),
        ]

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.keys.public_jwks(), headers=NO_STORE)

    async def token(self, request: Request) -> Response:
        if request.headers.get("authorization"):
            return _error("invalid_client", "use client_secret_post (form fields)", 401)
        form = {key: str(value) for key, value in (await request.form()).items()}
        if form.get("grant_type") != CLIENT_CREDENTIALS:
            return _error("unsupported_grant_type", "only client_credentials is supported")
        client_id = form.get("client_id", "")
        registered = self.clients.get(client_id)
        secret = form.get("client_secret", "")
        if registered is None or not secrets.compare_digest(
            registered[0].encode(), secret.encode()
        ):
            return _error("invalid_client", "unknown client or wrong secret", 401)
        asked = set(form.get("scope", "").split())
        if not asked <= registered[1]:
            return _error("invalid_scope", "scope not registered for this client")
        granted = " ".join(sorted(asked or registered[1]))
        now = int(time.time())
        claims = {
            "iss": self.issuer(),
            "aud": self.audience,
            "sub": client_id,
            "client_id": client_id,
            "scope": granted,
            "iat": now,
            "exp": now + LIFETIME,
            "jti": secrets.token_urlsafe(16),
        }
        body = {
            "access_token": self.keys.sign(claims),
            "token_type": "Bearer",
            "expires_in": LIFETIME,
            "scope": granted,
        }
        return JSONResponse(body, headers=NO_STORE)
