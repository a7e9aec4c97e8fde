"""Process-wide resources and the typed per-request Context built from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.auth import TokenVerifier
from graph.errors import UPSTREAM_MESSAGES
from graph.loaders import Loaders, OutageLog
from graph.settings import Settings
from graph.types.portal import Outage, Portal
from sources.base import AccountArea, Capability, ServiceDirectory, ViewerRecord
from sources.network import Network


@dataclass(frozen=True, slots=True)
class Resources:
    """What the lifespan owns and every request reads: config and adapters."""

    settings: Settings
    network: Network
    directories: Mapping[str, ServiceDirectory]
    account_areas: Mapping[str, AccountArea]
    verifier: TokenVerifier | None
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

    @classmethod
    def build(
        cls,
        resources: Resources,
        request: Request | WebSocket,
        response: Response | None,
        viewer: ViewerRecord | None = None,
    ) -> Context:
        outages = OutageLog()
        loaders = Loaders(
            outages, directories=resources.directories, account_areas=resources.account_areas
        )
        return cls(
            request=request,
            response=response,
            resources=resources,
            loaders=loaders,
            outages=outages,
            viewer=viewer,
        )


Info = strawberry.Info[Context, None]
