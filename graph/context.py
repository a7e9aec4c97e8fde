"""Process-wide resources and the typed per-request Context built from them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.domain.identity import TokenVerifier
from graph.errors import UPSTREAM_MESSAGES, UnauthenticatedError
from graph.live import LiveHub
from graph.loaders import Adapters, Loaders, OutageLog
from graph.settings import Settings
from graph.types.application import merged_history
from graph.types.portal import Outage, Portal
from sources.base import (
    ApplicationRecord,
    Capability,
    MessageRecord,
    StatusEventRecord,
    ViewerRecord,
)
from sources.network import Network


@dataclass(frozen=True, slots=True)
class Resources:
    """What the lifespan owns and every request reads: config and adapters."""

    settings: Settings
    network: Network
    adapters: Adapters
    verifier: TokenVerifier | None
    live: LiveHub | None = None
    portals: Mapping[str, Portal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.portals:
            views = {p.id: Portal.from_record(p) for p in self.network.portals}
            object.__setattr__(self, "portals", views)


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    resources: Resources
    loaders: Loaders
    outages: OutageLog
    viewer: ViewerRecord | None = None
    connection_params: dict[str, Any] | None = None

    @property
    def settings(self) -> Settings:
        return self.resources.settings

    @property
    def network(self) -> Network:
        return self.resources.network

    def outage_list(self, capability: Capability | None = None) -> list[Outage]:
        return [
            Outage(
                portal_id=strawberry.ID(e.portal_id),
                capability=e.capability,
                code=e.code,
                message="The portal " + UPSTREAM_MESSAGES.get(e.code, "failed") + ".",
            )
            for e in self.outages.entries
            if capability is None or e.capability is capability
        ]

    def token(self) -> str:
        """The viewer's sign-in token, for per-portal exchange; refuses anonymous requests."""
        if self.viewer is None:
            raise UnauthenticatedError("Sign in to see your own data.")
        return self.viewer.token

    async def application_history(self, record: ApplicationRecord) -> list[StatusEventRecord]:
        events, updates = await asyncio.gather(
            self.loaders.case_events(record.portal_id, record.case_id, record.destination_id),
            self.loaders.status_updates(record.portal_id, self.token()),
        )
        own = [u for u in updates if u.application_id == record.id]
        return merged_history(events, own)

    async def find_application(
        self, portal_id: str, application_id: str
    ) -> ApplicationRecord | None:
        """One of the viewer's applications; None for anything that is not theirs."""
        if self.viewer is None or portal_id not in self.resources.adapters.account_areas:
            return None
        found = await self.loaders.applications(self.viewer.token, [portal_id])
        return next((a for a in found if a.id == application_id), None)

    async def find_message(self, portal_id: str, message_id: str) -> MessageRecord | None:
        """One of the viewer's messages; None for anything that is not theirs."""
        if self.viewer is None or portal_id not in self.resources.adapters.postboxes:
            return None
        found = await self.loaders.messages(self.viewer.token, [portal_id])
        return next((m for m in found if m.id == message_id), None)

    @classmethod
    def build(
        cls,
        resources: Resources,
        request: Request | WebSocket,
        response: Response | None,
        viewer: ViewerRecord | None = None,
    ) -> Context:
        outages = OutageLog()
        loaders = Loaders(outages, resources.adapters)
        return cls(
            request=request,
            response=response,
            resources=resources,
            loaders=loaders,
            outages=outages,
            viewer=viewer,
        )


Info = strawberry.Info[Context, None]
