"""What the sandbox does to an upstream's counted requests: the body of PUT /_sandbox/faults.

Latency, an error status (with Retry-After), a stall until the client gives up, a
malformed body, for a share of the requests under a path prefix; docs/sandbox.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """What to do to counted requests; the defaults are "no fault"."""

    latency_ms: int = 0
    status: int | None = None
    retry_after: int | None = None
    timeout: bool = False
    malformed: bool = False
    share: float = 1.0
    path_prefix: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> FaultConfig:
        """Validate a PUT body; raises ValueError naming the offending key."""
        if not isinstance(raw, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown key(s): {', '.join(sorted(unknown))}")
        config = cls(**raw)
        checks = {
            "latency_ms": _is_int(config.latency_ms) and 0 <= config.latency_ms <= 600_000,
            "status": config.status is None
            or (_is_int(config.status) and 100 <= config.status <= 599),
            "retry_after": config.retry_after is None
            or (_is_int(config.retry_after) and config.retry_after >= 0),
            "timeout": isinstance(config.timeout, bool),
            "malformed": isinstance(config.malformed, bool),
            "share": _is_number(config.share) and 0.0 <= config.share <= 1.0,
            "path_prefix": config.path_prefix is None
            or (isinstance(config.path_prefix, str) and config.path_prefix.startswith("/")),
        }
        bad = [key for key, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid value for {', '.join(bad)}")
        return config

    @property
    def active(self) -> bool:
        return self != FaultConfig()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
