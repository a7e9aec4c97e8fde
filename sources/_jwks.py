"""A cached JSON Web Key Set: refetched once on an unknown `kid`, kept while its source is down."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from joserfc.jwk import KeySet

from sources.base import UpstreamRef
from sources.errors import KeysUnavailableError

logger = logging.getLogger("portalgraph.jwks")


class JwksCache:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[dict[str, Any]]],
        upstream: UpstreamRef,
        *,
        max_age: float = 900.0,
        min_refresh_interval: float = 30.0,
    ) -> None:
        self._fetch = fetch
        self.upstream = upstream
        self.max_age = max_age
        self.min_refresh_interval = min_refresh_interval
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._tried_at = float("-inf")
        self._lock = asyncio.Lock()

    def knows(self, kid: str | None) -> bool:
        return self._keys is not None and (
            kid is None or any(k.kid == kid for k in self._keys.keys)
        )

    async def keys_for(self, kid: str | None) -> KeySet:
        """The key set, refreshed first if it lacks `kid` or is older than `max_age`.

        Refreshes are single-flight and at most one per `min_refresh_interval`, so a
        stream of forged key ids cannot hammer the key source.
        """
        if not self.knows(kid) or self._is_stale():
            async with self._lock:
                due = time.monotonic() - self._tried_at >= self.min_refresh_interval
                if (not self.knows(kid) or self._is_stale()) and due:
                    await self._refresh()
        if self._keys is None:
            raise KeysUnavailableError("no signing keys available", upstream=self.upstream)
        return self._keys

    def _is_stale(self) -> bool:
        return time.monotonic() - self._fetched_at > self.max_age

    async def _refresh(self) -> None:
        self._tried_at = time.monotonic()
        try:
            self._keys = KeySet.import_key_set(await self._fetch())  # type: ignore[arg-type]  # JWKS JSON
            self._fetched_at = time.monotonic()
        except Exception as exc:  # any failure keeps the keys we have
            logger.warning(
                "JWKS refresh for %s failed (%s); keeping %s keys",
                self.upstream,
                type(exc).__name__,
                "previous" if self._keys else "no",
            )
