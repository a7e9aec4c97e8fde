"""A withdrawn signing key stops working within the JWKS freshness (issue 18 #9).

The cache follows the key source's Cache-Control max-age, at most five minutes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from sources._jwks import FetchedKeys, JwksCache, cache_max_age
from sources.base import Capability, UpstreamRef

OLD = RSAKey.generate_key(2048, parameters={"kid": "old"}, private=False)
NEW = RSAKey.generate_key(2048, parameters={"kid": "new"}, private=False)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("public, max-age=60", 60.0),
        ("max-age=86400", 300.0),  # capped
        ("no-store", 0.0),
        ("no-cache, max-age=100", 0.0),
        (None, 300.0),
        ("max-age=abc", 300.0),
        ("max-age=" + "9" * 5000, 300.0),
    ],
)
def test_cache_control_sets_the_freshness_within_five_minutes(
    header: str | None, expected: float
) -> None:
    assert cache_max_age(header) == expected


def test_a_withdrawn_key_is_dropped_when_the_set_goes_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    # The loop below sets no timers, so a frozen monotonic clock is safe for asyncio too.
    monkeypatch.setattr("sources._jwks.time.monotonic", lambda: now[0])
    published = [[OLD, NEW]]

    async def fetch() -> dict[str, Any]:
        keys = {"keys": [k.as_dict(private=False) for k in published[0]]}
        return FetchedKeys(keys, max_age=cache_max_age("max-age=60"))

    async def scenario() -> None:
        cache = JwksCache(fetch, UpstreamRef("identity", Capability.ACCOUNTS))
        assert cache.knows(None) is False
        await cache.keys_for("old")
        assert cache.knows("old")
        published[0] = [NEW]  # the issuer withdraws the old key
        now[0] += 61  # past the set's max-age (but well within the old 15-minute cache)
        await cache.keys_for("old")
        assert not cache.knows("old")
        assert cache.knows("new")

    asyncio.run(scenario())
