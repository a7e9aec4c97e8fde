"""Builders for the composition root: adapters with their credentials, caches, live hub."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from graph.domain.identity import TokenVerifier
from graph.domain.submitting import SubmissionDesk, SubmissionJournal
from graph.extensions.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from graph.live import LiveHub
from graph.loaders import Adapters
from graph.settings import Settings
from sources._auth import CachedTokenIssuer, ExchangedBearer, ServiceBearer
from sources._cache_store import CacheStore, MemoryCache, TieredCache
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._policy import UpstreamPolicy
from sources._redis_cache import RedisCache
from sources._resilience import UpstreamGuards
from sources.base import (
    Broker,
    Capability,
    CaseRoutes,
    Lock,
    PortalRecord,
    ServiceDirectory,
    TokenIssuer,
)
from sources.cache import CachedServiceDirectory, CacheTtls
from sources.events import InMemoryBroker, InMemoryCaseRoutes, InMemoryLock
from sources.fitconnect import FitConnectCases
from sources.idp import OidcProvider
from sources.network import Network, NetworkConfigError
from sources.plugins import AdapterContext, PluginError, load_adapter
from sources.portal import PortalAccountArea
from sources.postfach import PostfachBox
from sources.pvog import PvogDirectory
from sources.redis_events import RedisBroker, RedisCaseRoutes, RedisLock
from sources.routing import FitConnectRouting
from sources.submission import FitConnectSubmissions
from sources.xbezahldienste import XBezahldienste


@dataclass(frozen=True, slots=True)
class Wrapping:
    """How adapters are wrapped: per-upstream guards and policy, the public-data cache."""

    guards: UpstreamGuards = field(default_factory=UpstreamGuards)
    policy: UpstreamPolicy = field(default_factory=UpstreamPolicy)
    cache: CacheStore | None = None
    ttls: CacheTtls = field(default_factory=CacheTtls)

    def directory(self, directory: ServiceDirectory) -> ServiceDirectory:
        if self.cache is None:
            return directory
        return CachedServiceDirectory(directory, self.cache, self.ttls)

    def status(self) -> dict[str, object]:
        return {
            "upstreams": [b.as_json() for b in self.guards.breaker_states()],
            "cache": {"backend": "off"} if self.cache is None else self.cache.status(),
        }


def build_adapters(
    network: Network,
    client: httpx.AsyncClient,
    wrapping: Wrapping | None = None,
    stack: contextlib.AsyncExitStack | None = None,
) -> tuple[Adapters, TokenVerifier | None]:
    """Every upstream adapter of the network, each wrapped with the credentials it needs."""
    wrap = wrapping or Wrapping()
    verifier, tokens = build_identity(network, client, stack, wrap.guards.observer)

    def upstream(portal: PortalRecord, capability: Capability) -> Upstream:
        return wrap.guards.upstream(
            client,
            portal.endpoints[capability].url,
            portal_id=portal.id,
            capability=capability.value,
            policy=network.policy(portal.id, capability.value, wrap.policy),
        )

    def directory(portal: PortalRecord) -> ServiceDirectory:
        endpoint = portal.endpoints[Capability.SERVICES]
        if endpoint.adapter is None:
            return PvogDirectory(portal, upstream(portal, Capability.SERVICES))
        context = AdapterContext(portal, Capability.SERVICES, endpoint, client)
        try:
            plugged: ServiceDirectory = load_adapter(context)
        except PluginError as exc:
            raise NetworkConfigError(network.source, f"portal {portal.id!r}: {exc}") from exc
        return plugged

    adapters = Adapters(
        directories={
            p.id: wrap.directory(directory(p)) for p in network.with_capability(Capability.SERVICES)
        },
        account_areas={
            p.id: PortalAccountArea(
                p,
                upstream(p, Capability.ACCOUNTS),
                _exchanged(network, p, Capability.ACCOUNTS, tokens),
            )
            for p in network.with_capability(Capability.ACCOUNTS)
        },
        postboxes={
            p.id: PostfachBox(
                p,
                upstream(p, Capability.INBOX),
                _exchanged(network, p, Capability.INBOX, tokens),
            )
            for p in network.with_capability(Capability.INBOX)
        },
        case_events={
            p.id: FitConnectCases(
                p,
                upstream(p, Capability.STATUS),
                _service_bearer(network, p, Capability.STATUS, tokens),
            )
            for p in network.with_capability(Capability.STATUS)
        },
        payments={
            p.id: XBezahldienste(
                p,
                upstream(p, Capability.PAYMENTS),
                _service_bearer(network, p, Capability.PAYMENTS, tokens),
            )
            for p in network.with_capability(Capability.PAYMENTS)
        },
        submission_desk=SubmissionDesk(
            router=_router(network, client, wrap.guards.observer) if network.routing else None,
            apis={
                p.id: FitConnectSubmissions(
                    p,
                    upstream(p, Capability.SUBMISSIONS),
                    _service_bearer(network, p, Capability.SUBMISSIONS, tokens),
                )
                for p in network.with_capability(Capability.SUBMISSIONS)
            },
            journal=SubmissionJournal(),
        ),
    )
    return adapters, verifier


def _router(
    network: Network, client: httpx.AsyncClient, observer: UpstreamObserver
) -> FitConnectRouting:
    """The Routing API; routes verify with the Self-Service-Portal's key set (`jwks_url`) and
    their bare `submissionHost` maps to a Submission API of `[routing.submission_hosts]`."""
    assert network.routing is not None

    def upstream(url: str) -> Upstream:
        return Upstream(client, url, portal_id="routing", capability="routing", observer=observer)

    keys = network.routing.jwks_url
    return FitConnectRouting(
        upstream(network.routing.url),
        signing_keys=upstream(keys) if keys else None,
        hosts=network.submission_hosts,
    )


def build_wrapping(settings: Settings, stack: contextlib.AsyncExitStack) -> Wrapping:
    policy = UpstreamPolicy(
        retries=settings.upstream_retries,
        max_concurrency=settings.upstream_max_concurrency,
        breaker_failures=settings.breaker_failures,
        breaker_reset=settings.breaker_reset,
    )
    ttls = CacheTtls(
        services=settings.cache_ttl_services,
        organisations=settings.cache_ttl_organisations,
        regions=settings.cache_ttl_regions,
        max_stale=settings.cache_max_stale,
    )
    if settings.cache == "off":
        return Wrapping(policy=policy, ttls=ttls)
    cache: CacheStore = MemoryCache(settings.cache_max_entries)
    if settings.redis_url:
        # Its own client: a cache lookup gives up after redis_timeout and never retries,
        # where the event broker's client may wait longer.
        client = redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        stack.push_async_callback(client.aclose)
        shared = RedisCache(
            client, timeout=settings.redis_timeout, retry_interval=settings.redis_retry_interval
        )
        cache = TieredCache(MemoryCache(settings.cache_max_entries), shared)
    return Wrapping(policy=policy, cache=cache, ttls=ttls)


def _exchanged(
    network: Network, portal: PortalRecord, capability: Capability, tokens: TokenIssuer | None
) -> ExchangedBearer:
    audience = portal.endpoints[capability].audience
    if tokens is None or audience is None:
        raise NetworkConfigError(
            network.source,
            f"portal {portal.id!r}: {capability.value} needs an audience and an [identity] table",
        )
    return ExchangedBearer(tokens, audience, portal_id=portal.id, capability=capability.value)


def _service_bearer(
    network: Network, portal: PortalRecord, capability: Capability, tokens: TokenIssuer | None
) -> ServiceBearer:
    endpoint = portal.endpoints[capability]
    if tokens is None or endpoint.client_id is None or endpoint.client_secret_env is None:
        raise NetworkConfigError(
            network.source,
            f"portal {portal.id!r}: {capability.value} needs client_id, client_secret_env"
            " and an [identity] table",
        )
    return ServiceBearer(
        tokens,
        client_id=endpoint.client_id,
        client_secret=_secret(network, endpoint.client_secret_env),
        audience=endpoint.audience,
        portal_id=portal.id,
        capability=capability.value,
    )


def _secret(network: Network, name: str) -> str:
    secret = os.environ.get(name)
    if not secret:
        raise NetworkConfigError(network.source, f"environment variable {name} is not set")
    return secret


def build_identity(
    network: Network,
    client: httpx.AsyncClient,
    stack: contextlib.AsyncExitStack | None = None,
    observer: UpstreamObserver = NO_OBSERVER,
) -> tuple[TokenVerifier | None, TokenIssuer | None]:
    identity = network.identity
    if identity is None:
        return None, None
    provider = OidcProvider(
        identity,
        Upstream(
            client,
            identity.issuer,
            portal_id="identity",
            capability="accounts",
            timeout=5.0,
            observer=observer,
        ),
        _secret(network, identity.client_secret_env),
    )
    if stack is not None:
        stack.push_async_callback(provider.aclose)  # its pooled OAuth connections
    keys = JwksCache(provider.fetch_jwks, portal_id="identity", capability="accounts")
    verifier = TokenVerifier(keys, issuer=identity.issuer, audience=identity.audience)
    return verifier, CachedTokenIssuer(provider)


def build_live(
    settings: Settings, network: Network, adapters: Adapters, client: redis.Redis | None
) -> LiveHub:
    """The live-update hub: Redis pub/sub across replicas when configured, else in-process."""
    if client is not None:
        broker: Broker = RedisBroker(client)
        routes: CaseRoutes = RedisCaseRoutes(client)
        lock: Lock = RedisLock(client)
    else:
        broker, routes, lock = InMemoryBroker(), InMemoryCaseRoutes(), InMemoryLock()
    # Replicas must agree on the audience of a viewer; derive the key from a shared secret.
    shared = network.identity.client_secret_env if network.identity else "portalgraph"
    key = hashlib.sha256(("audience:" + os.environ.get(shared, shared)).encode()).digest()
    return LiveHub(
        broker,
        routes,
        lock,
        adapters,
        audience_key=key,
        poll_interval=settings.poll_interval,
        max_queue=settings.subscription_queue,
        max_per_viewer=settings.subscriptions_per_viewer,
    )


def callback_secrets(network: Network) -> dict[str, str]:
    return {
        p.id: _secret(network, endpoint.callback_secret_env)
        for p in network.with_capability(Capability.STATUS)
        if (endpoint := p.endpoints[Capability.STATUS]).callback_secret_env
    }


def build_rate_limiter(settings: Settings) -> tuple[Limiter, Callable[[], Awaitable[None]]]:
    """Redis GCRA shared by every replica when Redis is configured, else per process."""
    if not settings.redis_url:
        return MemoryLimiter(), _nothing
    client = redis.from_url(settings.redis_url, socket_timeout=0.25)
    return RedisLimiter(client), client.aclose


async def _nothing() -> None:
    return None
