"""The public face of the transport layer: what the gateway reads and hands on.

Adapters call upstreams through `Upstream` (sources/_http.py), wrapped with a breaker,
a bulkhead and retries (sources/_resilience.py); a cache may sit in front of the public
directory (sources/_cache_store.py). Outside sources/, only the composition root builds
those; everything else (middleware, metrics, the status page) reads them through the
names below, so the private modules can change without touching the gateway.
"""

from __future__ import annotations

from sources._breaker import BreakerSnapshot, BreakerState
from sources._cache_store import CacheStore
from sources._deadline import no_deadline
from sources._http import Upstream, deadline_after, remaining_time
from sources._observe import NO_OBSERVER, UpstreamCall, UpstreamObserver
from sources._resilience import GuardSnapshot, UpstreamGuards

__all__ = [
    "NO_OBSERVER",
    "BreakerSnapshot",
    "BreakerState",
    "CacheStore",
    "GuardSnapshot",
    "Upstream",
    "UpstreamCall",
    "UpstreamGuards",
    "UpstreamObserver",
    "deadline_after",
    "no_deadline",
    "remaining_time",
]
