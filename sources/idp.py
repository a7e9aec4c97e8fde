"""Identity provider adapter: OIDC discovery, JWKS, and the token endpoint.

Discovery and JWKS go through `Upstream` like every other call (deadline, observer,
error mapping). The OAuth 2.0 client flows (RFC 8693 token exchange, client
credentials) post a form to the token endpoint on the same aiohttp wire
(sources/_wire.py), with `client_secret_basic` client authentication: per first-seen
citizen and audience 1.8–1.9 ms of the gateway's CPU through authlib and httpx2, 0.5–0.6
ms here (docs/benchmarks.md, round dash2). Their answer is capped like the other keys' answers
(`KEYS_ANSWER`); transport failures are translated at the one boundary
(`sources._http.map_transport_errors`), the endpoint's own refusals here.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

from sources._answer import decode_json
from sources._client_credentials import basic_authorization
from sources._http import Upstream, map_transport_errors
from sources._jwks import FetchedKeys, cache_max_age
from sources._wire import KEYS_ANSWER, Wire, WireAnswer
from sources.base import Capability, IdentityRecord, IssuedToken, UpstreamRef
from sources.errors import SourceAuthError

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - a grant URN
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a type URN
IDENTITY = UpstreamRef("identity", Capability.ACCOUNTS)
DEFAULT_LIFETIME = 60.0  # an answer without expires_in (authlib's default, kept)
ERROR_CODE = re.compile(r"[a-z_]{1,64}")  # RFC 6749 §5.2 codes; anything else is not logged


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
        # The gateway's wire; a client without one (the tests' httpx fakes) gets a wire
        # of the provider's own, closed with it.
        self._owns_wire = upstream.wire is None
        self._wire = upstream.wire or Wire(max_answer=KEYS_ANSWER)

    async def aclose(self) -> None:
        if self._owns_wire:
            await self._wire.aclose()

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

    async def _fetch(self, client_id: str, client_secret: str, **form: str) -> IssuedToken:
        endpoint = str((await self.metadata())["token_endpoint"])
        # Not bounded by the request's deadline: the fetch is shared by every request
        # waiting for the same token (sources._auth.CachedTokenIssuer).
        timeout = self.upstream.timeout or 5.0
        with map_transport_errors(IDENTITY):
            answer = await self._wire.post_form(
                endpoint,
                form,
                {
                    "Authorization": basic_authorization(client_id, client_secret),
                    "Accept": "application/json",
                },
                read_timeout=timeout,
                connect_timeout=timeout,
                max_answer=KEYS_ANSWER,
            )
        return issued_token(answer, self.upstream)


def issued_token(answer: WireAnswer, upstream: Upstream) -> IssuedToken:
    """The token endpoint's answer (RFC 6749 §5.1). A 5xx is the provider unavailable;
    anything else that is not a token is the endpoint refusing (an RFC 6749 §5.2 error,
    a body that is not a JSON object, no access token), as it was under authlib."""
    if answer.status_code >= 500:
        raise upstream.status_error(answer)
    try:
        body = decode_json(answer.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _refused(f"HTTP {answer.status_code}, not a JSON object")
    if not answer.is_success or "error" in body:
        code = body.get("error")
        named = code if isinstance(code, str) and ERROR_CODE.fullmatch(code) else "error"
        raise _refused(f"HTTP {answer.status_code} {named}")
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise _refused("no access_token")
    try:
        lifetime = float(body.get("expires_in", DEFAULT_LIFETIME))
    except (TypeError, ValueError):
        raise _refused("expires_in is not a number") from None
    if not math.isfinite(lifetime):
        raise _refused("expires_in is not a number")
    return IssuedToken(access_token=access, expires_at=time.time() + lifetime)


def _refused(detail: str) -> SourceAuthError:
    return SourceAuthError(f"token endpoint refused: {detail}", upstream=IDENTITY)
