"""Process-wide resources and the typed per-request Context built from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.loaders import Loaders, OutageLog
from graph.settings import Settings
from graph.types.portal import Portal
from sources.base import ServiceDirectory
from sources.network import Network


@dataclass(frozen=True, slots=True)
class Resources:
    """What the lifespan owns and every request reads: config and adapters."""

    settings: Settings
    network: Network
    directories: Mapping[str, ServiceDirectory]
    portals: Mapping[str, Portal] = field(default_factory=dict)

    @classmethod
    def build(
        cls, settings: Settings, network: Network, directories: Mapping[str, ServiceDirectory]
    ) -> Resources:
        portals = {p.id: Portal.from_record(p) for p in network.portals}
        return cls(settings=settings, network=network, directories=directories, portals=portals)


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    resources: Resources
    loaders: Loaders
    outages: OutageLog
    connection_params: dict[str, Any] | None = None

    @property
    def settings(self) -> Settings:
        return self.resources.settings

    @property
    def network(self) -> Network:
        return self.resources.network

    @classmethod
    def build(
        cls, resources: Resources, request: Request | WebSocket, response: Response | None
    ) -> Context:
        outages = OutageLog()
        return cls(
            request=request,
            response=response,
            resources=resources,
            loaders=Loaders(resources.directories, outages),
            outages=outages,
        )


Info = strawberry.Info[Context, None]
