"""Builders for the composition root: the adapters of network file v2, the caches, identity.

Central services once (one PVOG, one FIT-Connect, one identity provider), payment
providers by id with their tenants, account areas and inboxes per `[[portals]]` entry (a
platform is one adapter for all its municipalities). Every upstream authenticates with
its own `auth` table (`sources._upstream_auth`), and is guarded (breaker, bulkhead,
retries, metrics) under its own name: `pvog`, `fitconnect`, a provider id, an entry id.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from graph.domain.adapters import Adapters
from graph.domain.identity import TokenVerifier
from graph.domain.submitting import DeskJournal, SubmissionDesk
from graph.settings import Secrets, Settings
from sources._auth import CachedTokenIssuer, ExchangedBearer
from sources._cache_store import CacheStore, MemoryCache, TieredCache
from sources._http import Upstream
from sources._jwks import JwksCache
from sources._observe import NO_OBSERVER, UpstreamObserver
from sources._plugin_tokens import Exchange, ExchangingAccountArea, ExchangingPostbox
from sources._policy import UpstreamPolicy
from sources._redis_cache import RedisCache
from sources._resilience import UpstreamGuards
from sources._upstreams import UpstreamFactory
from sources.account_area import PortalAccountArea
from sources.base import (
    AccountArea,
    Capability,
    EndpointRecord,
    IdentityRecord,
    PortalRecord,
    Postbox,
    ServiceDirectory,
    TokenIssuer,
    UpstreamRef,
)
from sources.base.portal_directory import PortalDirectory
from sources.base.topology import PortalApiRecord, PortalEntryRecord
from sources.base.upstream_auth import TokenExchange
from sources.cache import CachedServiceDirectory, CacheTtls
from sources.fitconnect import FitConnectCases
from sources.fitconnect_hosts import CasesAcrossHosts
from sources.idp import IDENTITY, OidcProvider
from sources.network import NetworkConfigError
from sources.plugins import AdapterContext, PluginError, load_adapter
from sources.postfach import PostfachBox
from sources.pvog import PvogDirectory
from sources.routing import FitConnectRouting
from sources.submission import FitConnectSubmissions
from sources.topology import Topology
from sources.xbezahldienste import XBezahldienste

PVOG = "pvog"
FITCONNECT = "fitconnect"
ROUTING = UpstreamRef("routing", Capability.SUBMISSIONS)  # FIT-Connect Routing API
# The Self-Service-Portal's key set that signs routes (`[fitconnect] route_keys_url`).
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
    topology: Topology,
    client: httpx.AsyncClient,
    secrets: Secrets,
    wrapping: Wrapping | None = None,
    stack: contextlib.AsyncExitStack | None = None,
    journal: DeskJournal | None = None,
    callback_base: str | None = None,
) -> tuple[Adapters, TokenVerifier | None]:
    """Every upstream adapter of the topology, each with its own credentials.

    Without a `journal` the gateway takes no submissions (idempotency needs it)."""
    wrap = wrapping or Wrapping()
    verifier, tokens = build_identity(topology, client, secrets, stack, wrap.guards.observer)
    make = UpstreamFactory(
        topology.source,
        client,
        secrets,
        wrap.guards,
        lambda table: topology.policy(table, wrap.policy),
        stack,
    )
    portals = PortalDirectory(topology.portals)
    pvog = topology.pvog
    directory = PvogDirectory(
        make.central(PVOG, "Portalverbund-Online-Gateway (PVOG)"),
        make.upstream(PVOG, Capability.SERVICES, pvog.url, pvog.auth),
        origin=portals.origin,
        use_ars_hierarchy=pvog.use_ars_hierarchy,
    )
    case_events = CasesAcrossHosts(
        [
            FitConnectCases(
                make.central(name, "FIT-Connect"),
                make.upstream(
                    name, Capability.STATUS, base, topology.fitconnect.auth, **_FITCONNECT
                ),
            )
            for name, base in _submission_bases(topology)
        ]
    )
    accounts: dict[str, AccountArea] = {}
    postboxes: dict[str, Postbox] = {}
    for entry in topology.portals:
        if entry.accounts is not None:
            accounts[entry.id] = _account_area(make, tokens, entry, portals)
        if entry.inbox is not None:
            postboxes[entry.id] = _postbox(make, tokens, entry)
    adapters = Adapters(
        directory=wrap.directory(directory),
        portals=portals,
        account_areas=accounts,
        postboxes=postboxes,
        every_viewer_inboxes=frozenset(
            e.id for e in topology.portals if e.inbox is not None and e.inbox.every_viewer
        ),
        case_events=case_events,
        payments={
            p.id: XBezahldienste(
                make.central(p.id, p.name),
                make.upstream(
                    p.id, Capability.PAYMENTS, p.url, p.auth, policy=f"payment_providers.{p.id}"
                ),
            )
            for p in topology.payment_providers
        },
        tenants=topology.tenants,
        submission_desk=_desk(topology, make, portals, journal, callback_base)
        if journal is not None
        else None,
    )
    return adapters, verifier


def _desk(
    topology: Topology,
    make: UpstreamFactory,
    portals: PortalDirectory,
    journal: DeskJournal,
    callback_base: str | None,
) -> SubmissionDesk:
    """One Submission API client per base FIT-Connect routes may name (the default and each
    of `submission_hosts`); they share FIT-Connect's token."""
    fitconnect = topology.fitconnect
    apis = {}
    for name, base in _submission_bases(topology):
        central = make.central(name, "FIT-Connect", submissions=base)
        upstream = make.upstream(name, Capability.SUBMISSIONS, base, fitconnect.auth, **_FITCONNECT)
        apis[name] = FitConnectSubmissions(central, upstream)
    router = FitConnectRouting(
        make.plain(fitconnect.routing_url, ROUTING, fitconnect.routing_auth),
        signing_keys=make.plain(fitconnect.route_keys_url, ROUTING_KEYS, None),
        hosts=fitconnect.submission_hosts,
        default_url=fitconnect.submission_url,
    )
    return SubmissionDesk(
        router=router,
        apis=apis,
        journal=journal,
        callback_url=_callback_url(callback_base) if callback_base else None,
        portal_of=_portal_of(portals),
    )


# Every Submission API host is FIT-Connect: its resilience keys and one shared token.
_FITCONNECT = {"policy": FITCONNECT, "token": FITCONNECT}


def _submission_bases(topology: Topology) -> list[tuple[str, str]]:
    """(upstream name, base URL): `fitconnect` for the default Submission API, then
    `fitconnect:<host>` for each other base a route's `submissionHost` may name (a
    metrics label: at most 64 characters)."""
    fitconnect = topology.fitconnect
    found = {fitconnect.submission_url.rstrip("/"): FITCONNECT}
    for host, base in fitconnect.submission_hosts.items():
        found.setdefault(base.rstrip("/"), f"{FITCONNECT}:{host}"[:64])
    return [(name, base) for base, name in found.items()]


def _portal_of(portals: PortalDirectory) -> Callable[[str], str | None]:
    """The portal an application to an authority at this ARS belongs to (nearest covering)."""

    def portal_of(ars: str) -> str | None:
        found = portals.covering(ars.ljust(12, "0"))
        return None if found is None else found.id

    return portal_of


def _account_area(
    make: UpstreamFactory,
    tokens: TokenIssuer | None,
    entry: PortalEntryRecord,
    portals: PortalDirectory,
) -> AccountArea:
    api = entry.accounts
    assert api is not None
    if api.adapter is not None:
        plugged: AccountArea = _plugin(make, entry, Capability.ACCOUNTS, api)
        exchange = _plugin_exchange(make, tokens, entry, Capability.ACCOUNTS, api)
        return plugged if exchange is None else ExchangingAccountArea(plugged, exchange)
    # A platform's records may name the municipality: its Portal, not the platform's entry.
    attribute = partial(portals.named_by, entry.id) if entry.is_platform else None
    return PortalAccountArea(
        *_exchanging(make, tokens, entry, Capability.ACCOUNTS, api), attribute=attribute
    )


def _postbox(
    make: UpstreamFactory, tokens: TokenIssuer | None, entry: PortalEntryRecord
) -> Postbox:
    api = entry.inbox
    assert api is not None
    if api.adapter is not None:
        plugged: Postbox = _plugin(make, entry, Capability.INBOX, api)
        exchange = _plugin_exchange(make, tokens, entry, Capability.INBOX, api)
        return plugged if exchange is None else ExchangingPostbox(plugged, exchange)
    return PostfachBox(*_exchanging(make, tokens, entry, Capability.INBOX, api))


def _exchanging(
    make: UpstreamFactory,
    tokens: TokenIssuer | None,
    entry: PortalEntryRecord,
    capability: Capability,
    api: PortalApiRecord,
) -> tuple[PortalRecord, Upstream, ExchangedBearer]:
    """The built-in account area and inbox clients send the citizen's token exchanged for
    the portal (RFC 8693): only where the entry's `auth` says `token_exchange`."""
    name = f"portals.{entry.id}.{capability.value}"
    scheme = api.auth.scheme if api.auth is not None else None
    if tokens is None or not isinstance(scheme, TokenExchange):
        raise NetworkConfigError(
            make.source,
            f"{name}: the built-in {capability.value} client sends the citizen's token"
            " exchanged for the portal: it needs [identity] and auth type token_exchange",
        )
    upstream = make.upstream(entry.id, capability, api.url, api.auth, policy=name)
    bearer = ExchangedBearer(tokens, scheme.audience, upstream=UpstreamRef(entry.id, capability))
    return make.entry_portal(entry), upstream, bearer


def _plugin_exchange(
    make: UpstreamFactory,
    tokens: TokenIssuer | None,
    entry: PortalEntryRecord,
    capability: Capability,
    api: PortalApiRecord,
) -> Exchange | None:
    """Where a plug-in's entry says `token_exchange`, the plug-in is handed the citizen's
    token exchanged for the portal, never the sign-in token; otherwise None."""
    scheme = api.auth.scheme if api.auth is not None else None
    if not isinstance(scheme, TokenExchange):
        return None
    if tokens is None:
        raise NetworkConfigError(
            make.source, f"portals.{entry.id}.{capability.value}: token_exchange needs [identity]"
        )
    ref = UpstreamRef(entry.id, capability)
    return ExchangedBearer(tokens, scheme.audience, upstream=ref).token


def _plugin(
    make: UpstreamFactory, entry: PortalEntryRecord, capability: Capability, api: PortalApiRecord
) -> Any:
    """A plug-in adapter (entry point `api.adapter`, docs/submissions.md "Plug-in adapters")."""
    endpoint = EndpointRecord(url=api.url, adapter=api.adapter)
    context = AdapterContext(make.entry_portal(entry), capability, endpoint, make.client)
    try:
        return load_adapter(context)
    except PluginError as exc:
        raise NetworkConfigError(
            make.source, f"portals.{entry.id}.{capability.value}: {exc}"
        ) from exc


def _callback_url(base: str) -> Callable[[str], str]:
    """The gateway's FIT-Connect callback endpoint of a portal (graph/http/callbacks.py)."""
    return lambda portal_id: f"{base.rstrip('/')}/hooks/fitconnect/{portal_id}"


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


def _secret(topology: Topology, secrets: Mapping[str, str], name: str) -> str:
    secret = secrets.get(name)
    if not secret:
        raise NetworkConfigError(topology.source, f"environment variable {name} is not set")
    return secret


def build_identity(
    topology: Topology,
    client: httpx.AsyncClient,
    secrets: Secrets,
    stack: contextlib.AsyncExitStack | None = None,
    observer: UpstreamObserver = NO_OBSERVER,
) -> tuple[TokenVerifier | None, TokenIssuer | None]:
    identity = topology.identity
    if identity is None:
        return None, None
    provider = OidcProvider(
        IdentityRecord(
            issuer=identity.issuer,
            audience=identity.audience,
            client_id=identity.client_id,
            client_secret_env=identity.client_secret_env,
        ),
        Upstream(client, identity.issuer, ref=IDENTITY, timeout=5.0, observer=observer),
        _secret(topology, secrets, identity.client_secret_env),
        jwks_url=identity.jwks_url,
    )
    if stack is not None:
        stack.push_async_callback(provider.aclose)  # its pooled OAuth connections
    keys = JwksCache(provider.fetch_jwks, IDENTITY)
    verifier = TokenVerifier(keys, issuer=identity.issuer, audience=identity.audience)
    return verifier, CachedTokenIssuer(provider)


def audience_key(settings: Settings, topology: Topology) -> bytes:
    """Replicas must agree on the audience of a viewer; derived from a shared secret."""
    shared = topology.identity.client_secret_env if topology.identity else "portalgraph"
    secret = settings.secrets.get(shared) or shared
    return hashlib.sha256(("audience:" + secret).encode()).digest()
