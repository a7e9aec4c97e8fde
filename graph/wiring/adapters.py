"""The adapters of network file v2, each with its own credentials and guards.

Central services once (one PVOG, one FIT-Connect, one identity provider), payment
providers by id with their tenants, account areas and inboxes per `[[portals]]` entry (a
platform is one adapter for all its municipalities). Every upstream authenticates with
its own `auth` table (`sources._upstream_auth`), and is guarded (breaker, bulkhead,
retries, metrics) under its own name: `pvog`, `fitconnect`, a provider id, an entry id.
"""

import contextlib
from collections.abc import Callable

import httpx

from graph.domain.adapters import Adapters
from graph.domain.identity import TokenVerifier
from graph.domain.submitting import DeskJournal, SubmissionDesk
from graph.settings import Secrets
from graph.wiring.identity import build_identity
from graph.wiring.portal_entries import account_area, postbox
from graph.wiring.wrapping import Wrapping
from sources._upstreams import UpstreamFactory
from sources._wire import KEYS_ANSWER
from sources.base import AccountArea, Capability, Postbox, UpstreamRef
from sources.base.portal_directory import PortalDirectory
from sources.fitconnect import FitConnectCases
from sources.fitconnect_hosts import CasesAcrossHosts
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
            accounts[entry.id] = account_area(make, tokens, entry, portals)
        if entry.inbox is not None:
            postboxes[entry.id] = postbox(make, tokens, entry)
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
        signing_keys=make.plain(
            fitconnect.route_keys_url, ROUTING_KEYS, None, max_answer=KEYS_ANSWER
        ),
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


def _callback_url(base: str) -> Callable[[str], str]:
    """The gateway's FIT-Connect callback endpoint of a portal (graph/http/callbacks.py)."""
    return lambda portal_id: f"{base.rstrip('/')}/hooks/fitconnect/{portal_id}"
