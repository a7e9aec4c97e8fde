"""The settings groups: every setting's field, type, default and `PORTALGRAPH_*` variable.

Each field names its variable (`PORTALGRAPH_` + the `env` in its metadata, unchanged since
the settings were one flat class). Every group checks itself in `__post_init__`
(graph/settings_checks.py), so a group built in code is validated like one read from the
environment. graph/settings.py puts the groups together and reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from graph.settings_checks import check_group

Profile = Literal["development", "production"]


def env(name: str, default: Any, *, documented: str | None = None) -> Any:
    """A setting read from `PORTALGRAPH_<name>`; `documented` names a page other than the table."""
    return field(default=default, metadata={"env": name, "documented": documented})


@dataclass(frozen=True, slots=True)
class ServerSettings:
    profile: Profile = env("PROFILE", "development")
    host: str = env("HOST", "127.0.0.1")
    port: int = env("PORT", 8000)
    workers: int = env("WORKERS", 1)
    network: str = env("NETWORK", "network.toml")
    redis_url: str | None = env("REDIS_URL", None)
    log_level: str = env("LOG_LEVEL", "info")
    max_body_bytes: int = env("MAX_BODY_BYTES", 1_000_000)
    cors_origins: str = env("CORS_ORIGINS", "")
    graphiql_vendor_dir: str | None = env(
        "GRAPHIQL_VENDOR_DIR", None, documented="docs/graphiql.md"
    )
    # Issue 18: only these proxies' X-Forwarded-For is believed; slow clients time out.
    trusted_proxies: str = env("TRUSTED_PROXIES", "")
    client_header_timeout: float = env("CLIENT_HEADER_TIMEOUT", 10.0)
    client_body_timeout: float = env("CLIENT_BODY_TIMEOUT", 15.0)

    def __post_init__(self) -> None:
        check_group(self)

    @property
    def is_production(self) -> bool:
        return self.profile == "production"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    """Failure behaviour: defaults for every upstream; network.toml may override them."""

    connect_timeout: float = env("UPSTREAM_CONNECT_TIMEOUT", 2.0)
    read_timeout: float = env("UPSTREAM_READ_TIMEOUT", 10.0)
    request_deadline: float = env("REQUEST_DEADLINE", 5.0)
    retries: int = env("UPSTREAM_RETRIES", 2)
    max_concurrency: int = env("UPSTREAM_MAX_CONCURRENCY", 32)
    breaker_failures: int = env("BREAKER_FAILURES", 5)
    breaker_reset: float = env("BREAKER_RESET", 10.0)

    def __post_init__(self) -> None:
        check_group(self)


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """The public-data cache and the opt-in response cache (graph/http/response_cache.py)."""

    enabled: bool = env("CACHE", True)
    max_entries: int = env("CACHE_MAX_ENTRIES", 10_000)
    ttl_services: float = env("CACHE_TTL_SERVICES", 300.0)
    ttl_organisations: float = env("CACHE_TTL_ORGANISATIONS", 3600.0)
    ttl_regions: float = env("CACHE_TTL_REGIONS", 86_400.0)
    max_stale: float = env("CACHE_MAX_STALE", 86_400.0)
    # Hits skip the schema extensions: neither rate limited nor counted as operations.
    responses: bool = env("RESPONSE_CACHE", False)
    response_ttl: float = env("RESPONSE_CACHE_TTL", 30.0)
    response_max_entries: int = env("RESPONSE_CACHE_MAX_ENTRIES", 1_000)
    redis_timeout: float = env("REDIS_TIMEOUT", 0.075)
    redis_retry_interval: float = env("REDIS_RETRY_INTERVAL", 5.0)

    def __post_init__(self) -> None:
        check_group(self)

    @property
    def response_seconds(self) -> float | None:
        """How long a whole response is kept; None when off (CACHE=off turns off both).

        A whole response never outlives the freshness of the data cached under it.
        """
        if not (self.enabled and self.responses):
            return None
        return min(self.response_ttl, self.ttl_services, self.ttl_organisations, self.ttl_regions)


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Hardening: every limit here is checked before any upstream call."""

    max_page_size: int = env("MAX_PAGE_SIZE", 100)
    default_page_size: int = env("DEFAULT_PAGE_SIZE", 20)
    max_depth: int = env("MAX_DEPTH", 6)
    max_aliases: int = env("MAX_ALIASES", 15)
    max_directives: int = env("MAX_DIRECTIVES", 50)
    max_tokens: int = env("MAX_TOKENS", 1000)
    max_characters: int = env("MAX_CHARACTERS", 15_000)
    max_cost: int = env("MAX_COST", 5000)
    cost_list_size: int = env("COST_LIST_SIZE", 10)
    max_field_repeats: int = env("MAX_FIELD_REPEATS", 10)
    max_batch: int = env("MAX_BATCH", 0)
    apq_cache_size: int = env("APQ_CACHE_SIZE", 1000)
    trusted_documents: str | None = env("TRUSTED_DOCUMENTS", None)
    rate_limit_viewer: int = env("RATE_LIMIT_VIEWER", 600)
    rate_limit_anonymous: int = env("RATE_LIMIT_ANONYMOUS", 600)
    rate_limit_downloads: int = env("RATE_LIMIT_DOWNLOADS", 60)
    max_representations: int = env("MAX_REPRESENTATIONS", 100)
    federation_token: str | None = env("FEDERATION_TOKEN", None)

    def __post_init__(self) -> None:
        check_group(self)


@dataclass(frozen=True, slots=True)
class LiveSettings:
    poll_interval: float = env("POLL_INTERVAL", 5.0)
    subscription_queue: int = env("SUBSCRIPTION_QUEUE", 100)
    subscriptions_per_viewer: int = env("SUBSCRIPTIONS_PER_VIEWER", 20)
    subscriptions_per_connection: int = env("SUBSCRIPTIONS_PER_CONNECTION", 10)
    connection_init_timeout: float = env("CONNECTION_INIT_TIMEOUT", 10.0)
    ws_max_per_client: int = env("WS_MAX_PER_CLIENT", 50)
    # The durable event log (docs/live-updates-delivery.md); unset: PORTALGRAPH_REDIS_URL's
    # Redis when set, else the in-memory log of this process.
    event_log_url: str | None = env("EVENT_LOG_URL", None)
    event_log_max_age: float = env("EVENT_LOG_MAX_AGE", 86_400.0)
    event_log_max_events: int = env("EVENT_LOG_MAX_EVENTS", 100_000)
    event_log_append_timeout: float = env("EVENT_LOG_APPEND_TIMEOUT", 1.0)

    def __post_init__(self) -> None:
        check_group(self)


@dataclass(frozen=True, slots=True)
class UploadSettings:
    """Attachment limits, checked before anything is sent."""

    max_bytes: int = env("UPLOAD_MAX_BYTES", 25_000_000)
    max_files: int = env("UPLOAD_MAX_FILES", 10)
    types: str = env("UPLOAD_TYPES", "application/pdf,image/jpeg,image/png,text/plain")
    spool_bytes: int = env("UPLOAD_SPOOL_BYTES", 1_048_576)
    spool_total_bytes: int = env("UPLOAD_SPOOL_TOTAL_BYTES", 268_435_456)
    # Signed attachment links (graph/domain/downloads.py); unset key: per process only.
    download_key: str | None = env("DOWNLOAD_KEY", None)
    download_url_ttl: float = env("DOWNLOAD_URL_TTL", 300.0)

    def __post_init__(self) -> None:
        check_group(self)


@dataclass(frozen=True, slots=True)
class OpsSettings:
    """Replicas, shutdown, tracing, audit pseudonyms."""

    replicas: int = env("REPLICAS", 1)
    shutdown_delay: float = env("SHUTDOWN_DELAY", 0.0)
    shutdown_grace: float = env("SHUTDOWN_GRACE", 20.0)
    otel_endpoint: str | None = env("OTEL_ENDPOINT", None)
    otel_sample_ratio: float = env("OTEL_SAMPLE_RATIO", 1.0)
    audit_key: str | None = env("AUDIT_KEY", None)

    def __post_init__(self) -> None:
        check_group(self)


@dataclass(frozen=True, slots=True)
class JournalSettings:
    """The journal (docs/journal.md): where it lives, how long finished entries stay.

    Its keys are secrets, read from `Settings.secrets`: PORTALGRAPH_JOURNAL_KEYS (the
    AES key ring for callback secrets) and PORTALGRAPH_JOURNAL_SUBJECT_KEY (the HMAC key of
    the viewers' pseudonyms); see graph/ops/journal.py.
    """

    # Unset: a SQLite file in `data_dir` (one replica only); postgresql://… otherwise.
    database_url: str | None = env("DATABASE_URL", None)
    data_dir: str = env("DATA_DIR", ".portalgraph")
    retention_days: float = env("JOURNAL_RETENTION_DAYS", 365.0)
    purge_interval: float = env("JOURNAL_PURGE_INTERVAL", 3600.0)
    lease_seconds: float = env("JOURNAL_LEASE_SECONDS", 120.0)
    busy_wait: float = env("JOURNAL_BUSY_WAIT", 10.0)
    # How long a learned account link lives after its account area last answered for the
    # viewer (docs/journal.md "Account links"): queries ask only linked account areas.
    account_link_days: float = env("JOURNAL_ACCOUNT_LINK_DAYS", 90.0)
    # The gateway's public base URL: each submission announces `callback {url, secret}` with
    # `<base>/hooks/fitconnect/<portal>`. Unset: no callback is announced.
    callback_base_url: str | None = env("CALLBACK_BASE_URL", None)

    def __post_init__(self) -> None:
        check_group(self)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url is None or self.database_url.startswith("sqlite")


GROUPS = {
    "server": ServerSettings,
    "upstream": UpstreamSettings,
    "cache": CacheSettings,
    "limits": LimitSettings,
    "live": LiveSettings,
    "uploads": UploadSettings,
    "ops": OpsSettings,
    "journal": JournalSettings,
}
