"""How the gateway treats one upstream: timeouts, retries, concurrency and its breaker.

The process-wide defaults come from the settings; `[defaults]` in the network file
overrides them for every upstream, and keys in a capability table override both for
that one upstream.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PolicyOverrides = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class UpstreamPolicy:
    connect_timeout: float | None = None  # None: the shared client's timeout
    timeout: float | None = None  # read timeout; None: the shared client's timeout
    retries: int = 2  # extra attempts for idempotent reads
    retry_budget: float = 0.1  # retries at most this share of calls (sliding window)
    max_retry_wait: float = 1.0  # a longer Retry-After or backoff means: give up now
    max_concurrency: int = 32  # bulkhead: calls in flight to this upstream
    breaker_failures: int = 5  # consecutive failed calls that open the breaker; 0: off
    breaker_reset: float = 10.0  # seconds open before a single probe call is let through

    def with_overrides(self, overrides: PolicyOverrides) -> UpstreamPolicy:
        return dataclasses.replace(self, **overrides)  # type: ignore[arg-type]


# key -> (type, smallest allowed value); ints must be whole numbers.
POLICY_KEYS: dict[str, tuple[type, float]] = {
    "connect_timeout": (float, 0.001),
    "timeout": (float, 0.001),
    "retries": (int, 0),
    "retry_budget": (float, 0.0),
    "max_retry_wait": (float, 0.0),
    "max_concurrency": (int, 1),
    "breaker_failures": (int, 0),
    "breaker_reset": (float, 0.001),
}


def parse_policy(table: Mapping[str, Any], where: str) -> dict[str, float]:
    """The policy keys of a TOML table, validated; raises ValueError naming the key."""
    overrides: dict[str, float] = {}
    for key, value in table.items():
        if key not in POLICY_KEYS:
            continue
        kind, smallest = POLICY_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}{key} must be a number (got {value!r})")
        if kind is int and not isinstance(value, int):
            raise ValueError(f"{where}{key} must be a whole number (got {value!r})")
        if value < smallest:
            raise ValueError(f"{where}{key} must be at least {smallest:g} (got {value!r})")
        overrides[key] = kind(value)
    return overrides
