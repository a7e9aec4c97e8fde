"""A cached JSON Web Key Set: refetched once on an unknown `kid`, kept while its source is down."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from joserfc.jwk import KeySet

from sources.base import UpstreamRef
from sources.errors import KeysUnavailableError

logger = logging.getLogger("portalgraph.jwks")


# Issue 18 #9: a withdrawn key must stop working soon; never cache a key set longer.
MAX_FRESHNESS = 300.0
MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*([0-9]{1,9})\s*(?:,|$)", re.IGNORECASE)


def cache_max_age(cache_control: str | None) -> float:
    """How long a key set may be used: its Cache-Control max-age, at most MAX_FRESHNESS."""
    if not cache_control:
        return MAX_FRESHNESS
    directives = cache_control.lower()
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    found = MAX_AGE.search(directives)
    return min(float(found.group(1)), MAX_FRESHNESS) if found else MAX_FRESHNESS


class FetchedKeys(dict[str, Any]):
    """A JWKS document with the freshness its response declared (`cache_max_age`)."""

    def __init__(self, document: dict[str, Any], *, max_age: float) -> None:
        super().__init__(document)
        self.max_age = max_age
        self.ceiling = max_age


class JwksCache:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[dict[str, Any]]],
        upstream: UpstreamRef,
        *,
        max_age: float = MAX_FRESHNESS,
        min_refresh_interval: float = 30.0,
    ) -> None:
        self._fetch = fetch
        self.upstream = upstream
        self.max_age = max_age
        self.ceiling = max_age
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
            document = await self._fetch()
            self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]  # JWKS JSON
            self._fetched_at = time.monotonic()
            if isinstance(document, FetchedKeys):  # the source said how fresh it is
                self.max_age = min(document.max_age, self.ceiling)
        except Exception as exc:  # any failure keeps the keys we have
            logger.warning(
                "JWKS refresh for %s failed (%s); keeping %s keys",
                self.upstream,
                type(exc).__name__,
                "previous" if self._keys else "no",
            )
