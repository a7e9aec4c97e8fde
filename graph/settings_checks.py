"""How settings values are read from text and the rules each group checks in `__post_init__`.

Errors name the environment variable, whether the value came from there or from code.
"""

from __future__ import annotations

import dataclasses
from typing import Any

PREFIX = "PORTALGRAPH_"
# Variable (without prefix) → what it must be.
POSITIVE = {
    "PORT",
    "EVENT_LOG_MAX_AGE",
    "EVENT_LOG_MAX_EVENTS",
    "EVENT_LOG_APPEND_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_ALIASES",
    "MAX_DIRECTIVES",
    "MAX_TOKENS",
    "MAX_CHARACTERS",
    "MAX_COST",
    "COST_LIST_SIZE",
    "MAX_FIELD_REPEATS",
    "REPLICAS",
    "REQUEST_DEADLINE",
    "UPSTREAM_MAX_CONCURRENCY",
    "BREAKER_RESET",
    "CACHE_MAX_ENTRIES",
    "RESPONSE_CACHE_MAX_ENTRIES",
    "REDIS_TIMEOUT",
    "REDIS_RETRY_INTERVAL",
    "CACHE_TTL_SERVICES",
    "CACHE_TTL_ORGANISATIONS",
    "CACHE_TTL_REGIONS",
    "MAX_REPRESENTATIONS",
    "UPLOAD_SPOOL_TOTAL_BYTES",
    "WS_MAX_PER_CLIENT",
    "CLIENT_HEADER_TIMEOUT",
    "CLIENT_BODY_TIMEOUT",
    "JOURNAL_RETENTION_DAYS",
    "JOURNAL_PURGE_INTERVAL",
    "JOURNAL_LEASE_SECONDS",
    "JOURNAL_ACCOUNT_LINK_DAYS",
    "DOWNLOAD_URL_TTL",
}
ZERO_OR_POSITIVE = {
    "WORKERS": "0 (one per CPU) or positive",
    "MAX_BATCH": "0 (off) or positive",
    "APQ_CACHE_SIZE": "0 (off) or positive",
    "RATE_LIMIT_VIEWER": "0 (off) or positive",
    "RATE_LIMIT_ANONYMOUS": "0 (off) or positive",
    "RATE_LIMIT_DOWNLOADS": "0 (off) or positive",
    "UPSTREAM_RETRIES": "0 (off) or positive",
    "BREAKER_FAILURES": "0 (off) or positive",
    "CACHE_MAX_STALE": "0 (off) or positive",
    "SHUTDOWN_DELAY": "0 or positive",
    "SHUTDOWN_GRACE": "0 or positive",
    "JOURNAL_BUSY_WAIT": "0 (answer at once) or positive",
}


class SettingsError(ValueError):
    pass


EVENT_LOG_SCHEMES = ("redis", "rediss", "unix", "nats", "tls")  # sources/events/logs.py


def check_group(group: Any) -> None:
    """Check every field of one settings group against the rules of its variable."""
    for spec in dataclasses.fields(group):
        name, value = spec.metadata["env"], getattr(group, spec.name)
        if isinstance(value, bool) != (spec.type == "bool"):
            raise SettingsError(f"{PREFIX}{name} must be on or off (got {value!r})")
        if name in POSITIVE and value <= 0:
            raise SettingsError(f"{PREFIX}{name} must be positive")
        if name in ZERO_OR_POSITIVE and value < 0:
            raise SettingsError(f"{PREFIX}{name} must be {ZERO_OR_POSITIVE[name]}")
    _check_special(group)


def _check_special(group: Any) -> None:
    profile = getattr(group, "profile", "development")
    if profile not in ("development", "production"):
        raise SettingsError(
            f"{PREFIX}PROFILE must be 'development' or 'production' (got {profile!r})"
        )
    if hasattr(group, "default_page_size") and not (
        1 <= group.default_page_size <= group.max_page_size
    ):
        raise SettingsError(
            f"{PREFIX}DEFAULT_PAGE_SIZE must be between 1 and {PREFIX}MAX_PAGE_SIZE"
        )
    event_log = getattr(group, "event_log_url", None)
    if event_log and event_log.split("://", 1)[0] not in EVENT_LOG_SCHEMES:
        raise SettingsError(
            f"{PREFIX}EVENT_LOG_URL must start with redis://, rediss://, unix:// (Redis"
            " Streams) or nats://, tls:// (JetStream); unset: in memory"
        )
    ratio = getattr(group, "otel_sample_ratio", 1.0)
    if not 0.0 <= ratio <= 1.0:
        raise SettingsError(f"{PREFIX}OTEL_SAMPLE_RATIO must be between 0 and 1")


BOOLEANS = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


def convert(name: str, raw: Any, annotation: Any) -> Any:
    if not isinstance(raw, str):
        return raw  # typed already (settings built in code or tests)
    kind = str(annotation)
    try:
        if kind == "bool":
            return BOOLEANS[raw.strip().lower()]
        if kind.startswith("str | None"):
            return raw or None
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except KeyError:
        raise SettingsError(f"{name} must be on or off (got {raw!r})") from None
    except ValueError:
        raise SettingsError(f"{name} must be a number (got {raw!r})") from None
    return raw
