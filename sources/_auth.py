"""Token caching wrapped around a `TokenIssuer` (same interface, fewer round trips).

Exchanged tokens are personal: the cache lives in this process only, is keyed by
a hash of the subject token, is bounded, and drops entries shortly before expiry.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol

from sources.base import IssuedToken, TokenIssuer, UpstreamRef
from sources.errors import SourceAuthError, SourceError

REFRESH_MARGIN = 30.0


class CachedTokenIssuer:
    def __init__(self, issuer: TokenIssuer, *, max_entries: int = 10_000) -> None:
        self.issuer = issuer
        self.max_entries = max_entries
        self._tokens: OrderedDict[tuple[str, str], IssuedToken] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Future[IssuedToken]] = {}

    async def exchange(self, subject_token: str, audience: str) -> IssuedToken:
        key = (hashlib.sha256(subject_token.encode()).hexdigest(), audience)
        return await self._cached(key, lambda: self.issuer.exchange(subject_token, audience))

    async def client_credentials(
        self, client_id: str, client_secret: str, audience: str | None
    ) -> IssuedToken:
        key = (f"client:{client_id}", audience or "")
        return await self._cached(
            key, lambda: self.issuer.client_credentials(client_id, client_secret, audience)
        )

    async def _cached(
        self, key: tuple[str, str], fetch: Callable[[], Awaitable[IssuedToken]]
    ) -> IssuedToken:
        token = self._tokens.get(key)
        if token is not None and token.expires_at - REFRESH_MARGIN > time.time():
            self._tokens.move_to_end(key)
            return token
        pending = self._pending.get(key)
        if pending is None:
            # The fetch runs as its own task: a caller that goes away (a closed WebSocket,
            # a deadline) must not cut an HTTP exchange off mid-flight and leak its socket.
            pending = asyncio.ensure_future(self._fetch_and_store(key, fetch))
            # Retrieve a failure even when every caller has gone, so asyncio does not log it.
            pending.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._pending[key] = pending
        return await asyncio.shield(pending)

    async def _fetch_and_store(
        self, key: tuple[str, str], fetch: Callable[[], Awaitable[IssuedToken]]
    ) -> IssuedToken:
        try:
            token = await fetch()
        finally:
            self._pending.pop(key, None)
        self._tokens[key] = token
        while len(self._tokens) > self.max_entries:
            self._tokens.popitem(last=False)
        return token


class ExchangedBearer:
    """Per-citizen credentials for one portal: the sign-in token exchanged for its audience."""

    def __init__(self, tokens: TokenIssuer, audience: str, *, upstream: UpstreamRef) -> None:
        self.tokens = tokens
        self.audience = audience
        self.upstream = upstream

    async def headers(self, subject_token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(subject_token)}"}

    async def token(self, subject_token: str) -> str:
        """The citizen's token for this portal's audience (cached per citizen)."""
        try:
            issued = await self.tokens.exchange(subject_token, self.audience)
        except SourceError as exc:
            raise SourceAuthError("token exchange failed", upstream=self.upstream) from exc
        return issued.access_token


class ServiceHeaders(Protocol):
    """Headers a service-to-service call carries (none when the `Upstream` authenticates)."""

    async def headers(self) -> dict[str, str]: ...


class CredentialsOnUpstream:
    """Network file v2: the upstream's own `auth` table rides on its `Upstream` as an
    `httpx.Auth` (sources/_upstream_auth.py), so the adapter adds no header of its own."""

    async def headers(self) -> dict[str, str]:
        return {}


ON_UPSTREAM = CredentialsOnUpstream()


class ServiceBearer:
    """Service-to-service credentials (client credentials grant) for one upstream."""

    def __init__(
        self,
        tokens: TokenIssuer,
        *,
        client_id: str,
        client_secret: str,
        audience: str | None,
        upstream: UpstreamRef,
    ) -> None:
        self.tokens = tokens
        self.client_id = client_id
        self._client_secret = client_secret
        self.audience = audience
        self.upstream = upstream

    async def headers(self) -> dict[str, str]:
        try:
            issued = await self.tokens.client_credentials(
                self.client_id, self._client_secret, self.audience
            )
        except SourceError as exc:
            raise SourceAuthError(
                "client credentials grant failed", upstream=self.upstream
            ) from exc
        return {"Authorization": f"Bearer {issued.access_token}"}
