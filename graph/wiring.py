"""Builders for the composition root: adapters with their credentials, caches, live hub."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from graph.domain.adapters import Adapters
from graph.domain.identity import TokenVerifier
from graph.domain.submitting import DeskJournal, SubmissionDesk
from graph.settings import Secrets, Settings
from sources._auth import CachedTokenIssuer, ExchangedBearer, ServiceBearer
from sources._cache_store import CacheStore, MemoryCache, TieredCache
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._policy import UpstreamPolicy
from sources._redis_cache import RedisCache
from sources._resilience import UpstreamGuards
from sources.account_area import PortalAccountArea
from sources.base import (
    Capability,
    PortalRecord,
    ServiceDirectory,
    TokenIssuer,
    UpstreamRef,
)
from sources.cache import CachedServiceDirectory, CacheTtls
from sources.fitconnect import FitConnectCases
from sources.idp import IDENTITY, OidcProvider
from sources.network import Network, NetworkConfigError
from sources.plugins import AdapterContext, PluginError, load_adapter
from sources.postfach import PostfachBox
from sources.pvog import PvogDirectory
from sources.routing import FitConnectRouting
from sources.submission import FitConnectSubmissions
from sources.xbezahldienste import XBezahldienste

T = TypeVar("T")
ROUTING = UpstreamRef("routing", Capability.SUBMISSIONS)  # FIT-Connect Routing API, network-wide
# The Self-Service-Portal's key set that signs routes (`[routing] jwks_url`).
ROUTING_KEYS = UpstreamRef("routing-keys", Capability.SUBMISSIONS)


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


def build_adapters(
    network: Network,
    client: httpx.AsyncClient,
    secrets: Secrets,
    wrapping: Wrapping | None = None,
    stack: contextlib.AsyncExitStack | None = None,
    journal: DeskJournal | None = None,
    callback_base: str | None = None,
) -> tuple[Adapters, TokenVerifier | None]:
    """Every upstream adapter of the network, each wrapped with the credentials it needs.

    Without a `journal` the gateway takes no submissions (idempotency needs it)."""
    wrap = wrapping or Wrapping()
    verifier, tokens = build_identity(network, client, secrets, stack, wrap.guards.observer)

    def upstream(portal: PortalRecord, capability: Capability) -> Upstream:
        return wrap.guards.upstream(
            client,
            portal.endpoints[capability].url,
            ref=UpstreamRef(portal.id, capability),
            policy=network.policy(portal.id, capability.value, wrap.policy),
        )

    def bearer(portal: PortalRecord, capability: Capability) -> ServiceBearer:
        return _service_bearer(network, portal, capability, tokens, secrets)

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

    def each(capability: Capability, build: Callable[[PortalRecord], T]) -> dict[str, T]:
        return {p.id: build(p) for p in network.with_capability(capability)}

    router = _router(network, client, wrap.guards.observer) if network.routing else None
    adapters = Adapters(
        directories=each(Capability.SERVICES, lambda p: wrap.directory(directory(p))),
        account_areas=each(
            Capability.ACCOUNTS,
            lambda p: PortalAccountArea(
                p,
                upstream(p, Capability.ACCOUNTS),
                _exchanged(network, p, Capability.ACCOUNTS, tokens),
            ),
        ),
        postboxes=each(
            Capability.INBOX,
            lambda p: PostfachBox(
                p, upstream(p, Capability.INBOX), _exchanged(network, p, Capability.INBOX, tokens)
            ),
        ),
        case_events=each(
            Capability.STATUS,
            lambda p: FitConnectCases(
                p, upstream(p, Capability.STATUS), bearer(p, Capability.STATUS)
            ),
        ),
        payments=each(
            Capability.PAYMENTS,
            lambda p: XBezahldienste(
                p, upstream(p, Capability.PAYMENTS), bearer(p, Capability.PAYMENTS)
            ),
        ),
        submission_desk=SubmissionDesk(
            router=router,
            apis=each(
                Capability.SUBMISSIONS,
                lambda p: FitConnectSubmissions(
                    p, upstream(p, Capability.SUBMISSIONS), bearer(p, Capability.SUBMISSIONS)
                ),
            ),
            journal=journal,
            callback_url=_callback_url(callback_base) if callback_base else None,
        )
        if journal is not None
        else None,
    )
    return adapters, verifier


def _callback_url(base: str) -> Callable[[str], str]:
    """The gateway's FIT-Connect callback endpoint of a portal (graph/http/callbacks.py)."""
    return lambda portal_id: f"{base.rstrip('/')}/hooks/fitconnect/{portal_id}"


def _router(
    network: Network, client: httpx.AsyncClient, observer: UpstreamObserver
) -> FitConnectRouting:
    """The Routing API; routes verify with the Self-Service-Portal's key set (`jwks_url`) and
    their bare `submissionHost` maps to a Submission API of `[routing.submission_hosts]`."""
    assert network.routing is not None
    keys = network.routing.jwks_url
    return FitConnectRouting(
        Upstream(client, network.routing.url, ref=ROUTING, observer=observer),
        signing_keys=Upstream(client, keys, ref=ROUTING_KEYS, observer=observer) if keys else None,
        hosts=network.submission_hosts,
    )


def build_wrapping(
    settings: Settings,
    stack: contextlib.AsyncExitStack,
    observer: UpstreamObserver = NO_OBSERVER,
) -> Wrapping:
    guards = UpstreamGuards(observer)
    upstream, cached = settings.upstream, settings.cache
    policy = UpstreamPolicy(
        retries=upstream.retries,
        max_concurrency=upstream.max_concurrency,
        breaker_failures=upstream.breaker_failures,
        breaker_reset=upstream.breaker_reset,
    )
    ttls = CacheTtls(
        services=cached.ttl_services,
        organisations=cached.ttl_organisations,
        regions=cached.ttl_regions,
        max_stale=cached.max_stale,
    )
    if not cached.enabled:
        return Wrapping(guards, policy=policy, ttls=ttls)
    cache: CacheStore = MemoryCache(cached.max_entries)
    if settings.server.redis_url:
        # Its own client: a cache lookup gives up after redis_timeout and never retries,
        # where the event broker's client may wait longer.
        client = redis.from_url(
            settings.server.redis_url,
            socket_timeout=cached.redis_timeout,
            socket_connect_timeout=cached.redis_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        stack.push_async_callback(client.aclose)
        shared = RedisCache(
            client, timeout=cached.redis_timeout, retry_interval=cached.redis_retry_interval
        )
        cache = TieredCache(MemoryCache(cached.max_entries), shared)
    return Wrapping(guards, policy=policy, cache=cache, ttls=ttls)


def _exchanged(
    network: Network, portal: PortalRecord, capability: Capability, tokens: TokenIssuer | None
) -> ExchangedBearer:
    audience = portal.endpoints[capability].audience
    if tokens is None or audience is None:
        raise NetworkConfigError(
            network.source,
            f"portal {portal.id!r}: {capability.value} needs an audience and an [identity] table",
        )
    return ExchangedBearer(tokens, audience, upstream=UpstreamRef(portal.id, capability))


def _service_bearer(
    network: Network,
    portal: PortalRecord,
    capability: Capability,
    tokens: TokenIssuer | None,
    secrets: Secrets,
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
        client_secret=_secret(network, secrets, endpoint.client_secret_env),
        audience=endpoint.audience,
        upstream=UpstreamRef(portal.id, capability),
    )


def _secret(network: Network, secrets: Secrets, name: str) -> str:
    secret = secrets.get(name)
    if not secret:
        raise NetworkConfigError(network.source, f"environment variable {name} is not set")
    return secret


def build_identity(
    network: Network,
    client: httpx.AsyncClient,
    secrets: Secrets,
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
            ref=IDENTITY,
            timeout=5.0,
            observer=observer,
        ),
        _secret(network, secrets, identity.client_secret_env),
    )
    if stack is not None:
        stack.push_async_callback(provider.aclose)  # its pooled OAuth connections
    keys = JwksCache(provider.fetch_jwks, IDENTITY)
    verifier = TokenVerifier(keys, issuer=identity.issuer, audience=identity.audience)
    return verifier, CachedTokenIssuer(provider)


def audience_key(settings: Settings, network: Network) -> bytes:
    """Replicas must agree on the audience of a viewer; derived from a shared secret."""
    shared = network.identity.client_secret_env if network.identity else "portalgraph"
    secret = settings.secrets.get(shared) or shared
    return hashlib.sha256(("audience:" + secret).encode()).digest()


def callback_secrets(network: Network, secrets: Secrets) -> dict[str, str]:
    return {
        p.id: _secret(network, secrets, endpoint.callback_secret_env)
        for p in network.with_capability(Capability.STATUS)
        if (endpoint := p.endpoints[Capability.STATUS]).callback_secret_env
    }
