"""Identity provider adapter: OIDC discovery, JWKS, and the token endpoint.

Discovery and JWKS go through `Upstream` like every other call (deadline, observer,
error mapping); the OAuth 2.0 client
flows (RFC 8693 token exchange, client credentials) go through authlib, whose
errors are translated here, in one place.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from sources._http import Upstream
from sources._jwks import FetchedKeys, cache_max_age
from sources.base import Capability, IdentityRecord, IssuedToken, UpstreamRef
from sources.errors import SourceAuthError, SourceTimeoutError, SourceUnavailableError

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - a grant URN
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a type URN
IDENTITY = UpstreamRef("identity", Capability.ACCOUNTS)


@contextlib.contextmanager
def map_oauth_errors() -> Iterator[None]:
    try:
        yield
    except httpx2.TimeoutException as exc:
        raise SourceTimeoutError("identity provider timed out", upstream=IDENTITY) from exc
    except httpx2.TransportError as exc:
        raise SourceUnavailableError("identity provider unreachable", upstream=IDENTITY) from exc
    except (AuthlibBaseError, ValueError, KeyError) as exc:
        # OAuth error responses (invalid_grant, invalid_target, ...) and broken bodies.
        raise SourceAuthError(
            f"token endpoint refused: {type(exc).__name__}", upstream=IDENTITY
        ) from exc


class OidcProvider:
    def __init__(
        self,
        identity: IdentityRecord,
        upstream: Upstream,
        client_secret: str,
        *,
        jwks_url: str | None = None,
    ) -> None:
        """`jwks_url`: the key set's URL where the issuer publishes it apart from its
        discovery document (`[identity] jwks_url`); None: the document's `jwks_uri`."""
        self.identity = identity
        self.jwks_url = jwks_url
        self.upstream = upstream
        self._client_secret = client_secret
        self._metadata: dict[str, Any] | None = None
        # One pooled OAuth client per client id: a new one per call costs a connection each time.
        self._oauth: dict[tuple[str, str], AsyncOAuth2Client] = {}

    async def aclose(self) -> None:
        for oauth in self._oauth.values():
            await oauth.aclose()
        self._oauth.clear()

    def _client(self, client_id: str, client_secret: str) -> AsyncOAuth2Client:
        key = (client_id, client_secret)
        if key not in self._oauth:
            self._oauth[key] = AsyncOAuth2Client(
                client_id=client_id,
                client_secret=client_secret,
                token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
                timeout=self.upstream.timeout or 5.0,
                trust_env=False,
            )
        return self._oauth[key]

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            body = await self.upstream.get_json("/.well-known/openid-configuration")
            if not isinstance(body, dict) or not {"jwks_uri", "token_endpoint"} <= body.keys():
                raise self.upstream.bad_response("discovery document lacks jwks_uri/token_endpoint")
            self._metadata = body
        return self._metadata

    async def fetch_jwks(self) -> dict[str, Any]:
        """The issuer's public key set as JSON, fetched fresh."""
        jwks_uri = self.jwks_url or str((await self.metadata())["jwks_uri"])
        response = await self.upstream.send("GET", jwks_uri)
        try:
            body = response.json()
        except ValueError as exc:
            raise self.upstream.bad_response("JWKS is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
            raise self.upstream.bad_response("JWKS has no keys")
        return FetchedKeys(body, max_age=cache_max_age(response.headers.get("cache-control")))

    async def exchange(self, subject_token: str, audience: str) -> IssuedToken:
        return await self._fetch(
            self.identity.client_id,
            self._client_secret,
            grant_type=TOKEN_EXCHANGE,
            subject_token=subject_token,
            subject_token_type=ACCESS_TOKEN_TYPE,
            audience=audience,
        )

    async def client_credentials(
        self, client_id: str, client_secret: str, audience: str | None
    ) -> IssuedToken:
        extra = {"audience": audience} if audience else {}
        return await self._fetch(client_id, client_secret, grant_type="client_credentials", **extra)

    async def _fetch(self, client_id: str, client_secret: str, **params: str) -> IssuedToken:
        endpoint = str((await self.metadata())["token_endpoint"])
        with map_oauth_errors():
            token = await self._client(client_id, client_secret).fetch_token(endpoint, **params)
            lifetime = float(token.get("expires_in", 60))
            return IssuedToken(
                access_token=str(token["access_token"]), expires_at=time.time() + lifetime
            )
