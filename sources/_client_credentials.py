"""OAuth2 client credentials (RFC 6749 §4.4) for one upstream: fetched once, shared, renewed early.

The token is the gateway's own, not a citizen's, so one per upstream is cached in the
process until shortly before it expires; concurrent callers wait for one fetch
(single flight), and a fetch outlives a caller that goes away. Client authentication:
`client_secret_post` (form fields, as FIT-Connect wants), `client_secret_basic`
(RFC 6749 §2.3.1: both parts form-encoded, then Basic) or `private_key_jwt` (RFC 7523).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from sources._wire import KEYS_ANSWER, AnswerTooLargeError, aread_capped
from sources.base import Capability, UpstreamRef
from sources.base.upstream_auth import ClientAuthMethod, OAuth2ClientCredentials
from sources.errors import SourceAuthError, SourceBadResponseError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REFRESH_MARGIN = 30.0  # renew this many seconds before expiry (half the lifetime if shorter)
DEFAULT_LIFETIME = 300.0  # a token response without expires_in


class ClientCredentialsTokens:
    def __init__(
        self,
        config: OAuth2ClientCredentials,
        *,
        client: httpx.AsyncClient,
        client_secret: str | None = None,
        private_key_pem: bytes | None = None,
        upstream: str,
        capability: str,
    ) -> None:
        self.config = config
        self.client = client
        self._secret = client_secret
        self._key = _signing_key(private_key_pem) if private_key_pem else None
        self.where = UpstreamRef(upstream, Capability(capability))
        self._token: tuple[str, float] | None = None  # (access token, renew at, monotonic)
        self._pending: asyncio.Future[str] | None = None

    async def token(self) -> str:
        if self._token is not None and time.monotonic() < self._token[1]:
            return self._token[0]
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._fetch())
            # Retrieve a failure even when every caller has gone, so asyncio does not log it.
            self._pending.add_done_callback(lambda done: done.cancelled() or done.exception())
        return await asyncio.shield(self._pending)

    def invalidate(self, token: str) -> None:
        """Forget `token` (the upstream answered 401); a newer token stays."""
        if self._token is not None and self._token[0] == token:
            self._token = None

    async def _fetch(self) -> str:
        try:
            form, headers = self._client_authentication()
            form["grant_type"] = "client_credentials"
            if self.config.scope:
                form["scope"] = self.config.scope
            if self.config.audience:
                form["audience"] = self.config.audience
            try:
                async with self.client.stream(
                    "POST", self.config.token_url, data=form, headers=headers
                ) as response:
                    if response.status_code != 200:
                        # The body may echo the client id; the status is enough to act on.
                        raise SourceAuthError(
                            f"token endpoint answered {response.status_code}", upstream=self.where
                        )
                    content = await aread_capped(response, KEYS_ANSWER)
            except httpx.HTTPError as exc:
                raise SourceAuthError("token endpoint unreachable", upstream=self.where) from exc
            except AnswerTooLargeError as exc:
                raise SourceBadResponseError(
                    f"token endpoint answered too much: {exc}", upstream=self.where
                ) from exc
            access, lifetime = _parse(content, self.where)
            margin = min(REFRESH_MARGIN, lifetime / 2)
            self._token = (access, time.monotonic() + lifetime - margin)
            return access
        finally:
            self._pending = None

    def _client_authentication(self) -> tuple[dict[str, str], dict[str, str]]:
        method, client_id = self.config.method, self.config.client_id
        if method is ClientAuthMethod.CLIENT_SECRET_POST:
            return {"client_id": client_id, "client_secret": self._secret or ""}, {}
        if method is ClientAuthMethod.CLIENT_SECRET_BASIC:
            return {}, {"Authorization": basic_authorization(client_id, self._secret or "")}
        return {
            "client_id": client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self._assertion(),
        }, {}

    def _assertion(self) -> str:
        if self._key is None:
            raise SourceAuthError("private_key_jwt needs a private key", upstream=self.where)
        now = int(time.time())
        claims = {
            "iss": self.config.client_id,
            "sub": self.config.client_id,
            "aud": self.config.token_url,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "exp": now + 60,
        }
        header: dict[str, Any] = {"alg": "RS256" if isinstance(self._key, RSAKey) else "ES256"}
        if self.config.key_id:
            header["kid"] = self.config.key_id
        return jwt.encode(header, claims, self._key)


def basic_authorization(client_id: str, secret: str) -> str:
    """`client_secret_basic` (RFC 6749 §2.3.1): both parts form-encoded, then Basic."""
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _signing_key(pem: bytes) -> RSAKey | ECKey:
    """RS256 for an RSA key, ES256 for a P-256 key; anything else is a configuration error."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError("private_key_jwt: not an unencrypted PEM private key") from exc
    if isinstance(key, rsa.RSAPrivateKey):
        return RSAKey.import_key(pem)
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        return ECKey.import_key(pem)
    raise ValueError("private_key_jwt: the key must be RSA or EC P-256")


def _parse(content: bytes, where: UpstreamRef) -> tuple[str, float]:
    try:
        body = json.loads(content)
    except ValueError as exc:
        raise SourceAuthError("token response is not JSON", upstream=where) from exc
    access = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(access, str) or not access:
        raise SourceAuthError("token response has no access_token", upstream=where)
    lifetime = body.get("expires_in", DEFAULT_LIFETIME)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
        lifetime = DEFAULT_LIFETIME
    return access, float(lifetime)
