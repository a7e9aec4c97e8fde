"""The gateway's running state, and the typed per-request Context built from it.

The lifespan builds one `GatewayState` and yields it as Starlette lifespan state
(`{"gateway": state}`): every request's `scope["state"]` carries it, so nothing is
assigned to a view or an endpoint after construction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import strawberry
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.actions import Actions
from graph.citizen.loaders import CitizenLoaders
from graph.citizen.view import CitizenView
from graph.domain.adapters import Adapters
from graph.domain.downloads import DownloadSigner, download_signer
from graph.domain.errors import UnauthenticatedError
from graph.domain.identity import TokenVerifier
from graph.domain.live import LiveHub
from graph.domain.outages import OutageLog, outage_message
from graph.domain.replays import ReplayGuard
from graph.extensions.outages import FieldsInFlight
from graph.settings import Settings
from graph.types.portal import Outage, Portal
from graph.types.portal_views import PortalViews
from sources.base import Capability, ViewerRecord
from sources.journal import Journal
from sources.topology import Topology
from sources.transport import CacheStore, UpstreamGuards

STATE_KEY = "gateway"
VIEWER_KEY = "viewer"


@dataclass(frozen=True, slots=True)
class GatewayState:
    """What the lifespan owns and every request reads: config, adapters, live hub."""

    settings: Settings
    topology: Topology
    adapters: Adapters
    verifier: TokenVerifier | None
    live: LiveHub | None = None
    guards: UpstreamGuards = field(default_factory=UpstreamGuards)
    cache: CacheStore | None = None  # the public-data cache, when on
    ping: Callable[[], Awaitable[object]] | None = None  # Redis, for readiness
    # Seconds until a viewer (by subject) may download another attachment (issue 18 #5).
    download_wait: Callable[[str], Awaitable[float]] | None = None
    replays: ReplayGuard = field(default_factory=ReplayGuard)  # callbacks seen (issue 18 #10)
    portals: Mapping[str, Portal] = field(default_factory=dict)
    journal: Journal | None = None  # the gateway's own record (sources/journal)
    subject_keys: Callable[[str], str] | None = None  # the journal's viewer pseudonyms

    def __post_init__(self) -> None:
        if not self.portals:
            object.__setattr__(self, "portals", PortalViews(self.adapters))

    def upstream_status(self) -> dict[str, object]:
        """Breaker states and cache health, for operators and probes; no GraphQL needed."""
        return {
            "upstreams": [b.as_json() for b in self.guards.breaker_states()],
            "cache": {"backend": "off"} if self.cache is None else self.cache.status(),
            "events": {"backend": "off"} if self.live is None else self.live.status(),
        }

    @property
    def download_signer(self) -> DownloadSigner:
        """Signs and opens attachment links (graph/domain/downloads.py); one per process."""
        uploads = self.settings.uploads
        return download_signer(uploads.download_key, uploads.download_url_ttl)

    @staticmethod
    def of(connection: HTTPConnection) -> GatewayState:
        """The state of a running gateway, from a request's or WebSocket's scope."""
        state = connection.scope.get("state", {}).get(STATE_KEY)
        if not isinstance(state, GatewayState):
            raise RuntimeError("the gateway's lifespan has not run")
        return state


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    gateway: GatewayState
    loaders: CitizenLoaders  # the public loaders and the viewer's
    actions: Actions
    outages: OutageLog
    viewer: ViewerRecord | None = None
    connection_params: dict[str, Any] | None = None
    in_flight: FieldsInFlight = field(default_factory=FieldsInFlight)
    # The viewer's journal pseudonym (an HMAC), made once per context and kept with the
    # viewer it is of: a socket's context gets its viewer after it is built.
    _subject_key: tuple[ViewerRecord, str | None] | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return self.gateway.settings

    @property
    def topology(self) -> Topology:
        return self.gateway.topology

    def outage_list(self, capability: Capability | None = None) -> list[Outage]:
        return [
            Outage(
                portal_id=strawberry.ID(e.upstream.portal_id),
                portal_name=portal.name
                if (portal := self.gateway.portals.get(e.upstream.portal_id))
                else None,
                capability=e.upstream.capability,
                code=e.code,
                message=outage_message(e),
            )
            for e in self.outages.of(capability)
        ]

    def token(self) -> str:
        """The viewer's sign-in token, for per-portal exchange; refuses anonymous requests."""
        if self.viewer is None:
            raise UnauthenticatedError("Sign in to see your own data.", reason="NO_TOKEN")
        return self.viewer.token

    def subject_key(self) -> str | None:
        """The viewer's journal pseudonym; None when anonymous or without a journal."""
        viewer, known = self.viewer, self._subject_key
        if known is not None and known[0] is viewer:
            return known[1]
        keys = self.gateway.subject_keys
        key = None if viewer is None or keys is None else keys(viewer.subject)
        if viewer is not None:
            self._subject_key = (viewer, key)
        return key

    @property
    def citizen(self) -> CitizenView:
        """The viewer's own data, asked only where they have something (graph/citizen)."""
        return CitizenView(self)

    def signed_download(self, path: str) -> str:
        """`path` as a link that opens without a header, for this viewer (domain/downloads)."""
        if self.viewer is None:
            return path
        signer = self.gateway.download_signer
        return signer.sign(path, self.viewer.subject, self.viewer.token, self.viewer.expires_at)

    @classmethod
    def build(
        cls,
        gateway: GatewayState,
        request: Request | WebSocket,
        response: Response | None,
        viewer: ViewerRecord | None = None,
        *,
        outages: OutageLog | None = None,
        loaders: CitizenLoaders | None = None,
    ) -> Context:
        """`loaders`: made here unless given (a WebSocket's are made lazily, on `outages`)."""
        outages = outages or OutageLog()
        return cls(
            request=request,
            response=response,
            gateway=gateway,
            loaders=loaders or CitizenLoaders(outages, gateway.adapters, gateway.journal),
            actions=Actions(
                gateway.adapters,
                gateway.journal,
                timedelta(days=gateway.settings.journal.account_link_days),
            ),
            outages=outages,
            viewer=viewer,
        )


Info = strawberry.Info[Context, None]
