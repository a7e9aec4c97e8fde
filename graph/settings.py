"""Gateway settings, read once from `PORTALGRAPH_*` environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

PREFIX = "PORTALGRAPH_"
Profile = Literal["development", "production"]
T = TypeVar("T")
POSITIVE_LIMITS = (
    "max_depth",
    "max_aliases",
    "max_directives",
    "max_tokens",
    "max_characters",
    "max_cost",
    "cost_list_size",
    "max_field_repeats",
)
NON_NEGATIVE = ("max_batch", "apq_cache_size", "rate_limit_viewer", "rate_limit_anonymous")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default; the README's configuration table mirrors this."""

    profile: Profile = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    network: str = "network.toml"
    redis_url: str | None = None
    log_level: str = "info"
    max_page_size: int = 100
    default_page_size: int = 20
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 10.0
    # Failure behaviour (README): defaults for every upstream; network.toml may override them.
    request_deadline: float = 5.0
    upstream_retries: int = 2
    upstream_max_concurrency: int = 32
    breaker_failures: int = 5
    breaker_reset: float = 10.0
    cache: str = "on"
    cache_max_entries: int = 10_000
    cache_ttl_services: float = 300.0
    cache_ttl_organisations: float = 3600.0
    cache_ttl_regions: float = 86_400.0
    cache_max_stale: float = 86_400.0
    # Whole responses of anonymous, public queries (graph/http/response_cache.py). Opt-in: hits
    # skip the schema extensions, so they are neither rate limited nor counted as operations.
    response_cache: str = "off"
    response_cache_ttl: float = 30.0
    response_cache_max_entries: int = 1_000
    redis_timeout: float = 0.075
    redis_retry_interval: float = 5.0
    max_body_bytes: int = 1_000_000
    # Hardening (README "Security"): every limit below is checked before any upstream call.
    max_depth: int = 6
    max_aliases: int = 15
    max_directives: int = 50
    max_tokens: int = 1000
    max_characters: int = 15_000
    max_cost: int = 5000
    cost_list_size: int = 10
    max_field_repeats: int = 10
    max_batch: int = 0
    apq_cache_size: int = 1000
    trusted_documents: str | None = None
    cors_origins: str = ""
    rate_limit_viewer: int = 600
    rate_limit_anonymous: int = 600
    audit_key: str | None = None
    poll_interval: float = 5.0
    subscription_queue: int = 100
    subscriptions_per_viewer: int = 20
    subscriptions_per_connection: int = 10
    connection_init_timeout: float = 10.0
    # Submissions (README "Submissions"): attachment limits, checked before anything is sent.
    upload_max_bytes: int = 25_000_000
    upload_max_files: int = 10
    upload_types: str = "application/pdf,image/jpeg,image/png,text/plain"
    upload_spool_bytes: int = 1_048_576
    # Signed attachment links (graph/domain/downloads.py); unset key: per process only.
    download_key: str | None = None
    download_url_ttl: float = 300.0
    # Operations (README "Operations"): replicas, shutdown, tracing.
    replicas: int = 1
    shutdown_delay: float = 0.0
    shutdown_grace: float = 20.0
    otel_endpoint: str | None = None
    otel_sample_ratio: float = 1.0

    @property
    def is_production(self) -> bool:
        return self.profile == "production"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = PREFIX + spec.name.upper()
            if name in environ:
                values[spec.name] = _convert(name, environ[name], spec.type)
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        _check_failure_behaviour(self)
        if self.profile not in ("development", "production"):
            raise SettingsError(
                f"{PREFIX}PROFILE must be 'development' or 'production' (got {self.profile!r})"
            )
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise SettingsError(
                f"{PREFIX}DEFAULT_PAGE_SIZE must be between 1 and {PREFIX}MAX_PAGE_SIZE"
            )
        _check_operations(self)
        for name in ("port", "max_body_bytes", *POSITIVE_LIMITS):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be positive")
        for name in NON_NEGATIVE:
            if getattr(self, name) < 0:
                raise SettingsError(f"{PREFIX}{name.upper()} must be 0 (off) or positive")


def _convert(name: str, raw: str, annotation: Any) -> Any:
    kind = str(annotation)
    converters: dict[str, Callable[[str], Any]] = {"int": int, "float": float}
    try:
        if kind.startswith("str | None"):
            return raw or None
        if kind in converters:
            return converters[kind](raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number (got {raw!r})") from None
    return raw


def _check_operations(settings: Settings) -> None:
    if settings.workers < 0:
        raise SettingsError(f"{PREFIX}WORKERS must be 0 (one per CPU) or positive")
    if settings.replicas < 1:
        raise SettingsError(f"{PREFIX}REPLICAS must be positive")
    if settings.replicas > 1 and not settings.redis_url:
        # Each replica alone would keep its own subscriptions, rate limits and cache:
        # a callback reaching replica A would never find a subscriber on replica B.
        raise SettingsError(
            f"{PREFIX}REPLICAS is {settings.replicas}: more than one replica needs"
            f" {PREFIX}REDIS_URL (shared events, rate limits and cache)"
        )
    for name in ("shutdown_delay", "shutdown_grace"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be 0 or positive")
    if not 0.0 <= settings.otel_sample_ratio <= 1.0:
        raise SettingsError(f"{PREFIX}OTEL_SAMPLE_RATIO must be between 0 and 1")


def _check_failure_behaviour(settings: Settings) -> None:
    if settings.cache not in ("on", "off"):
        raise SettingsError(f"{PREFIX}CACHE must be 'on' or 'off' (got {settings.cache!r})")
    if settings.response_cache not in ("on", "off"):
        raise SettingsError(f"{PREFIX}RESPONSE_CACHE must be 'on' or 'off'")
    positive = (
        "request_deadline",
        "upstream_max_concurrency",
        "breaker_reset",
        "cache_max_entries",
        "response_cache_max_entries",
        "download_url_ttl",
    )
    for name in (*positive, "redis_timeout", "redis_retry_interval"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be positive")
    for name in ("upstream_retries", "breaker_failures", "cache_max_stale"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be 0 (off) or positive")
    for name in ("cache_ttl_services", "cache_ttl_organisations", "cache_ttl_regions"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be positive")
