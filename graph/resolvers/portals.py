"""Portals of the network and regions (Gebiete) known to the PVOG."""

from __future__ import annotations

from graph.context import Info
from graph.resolvers.arguments import check_text
from graph.types.portal import Portal, Tier
from graph.types.region import Region

MAX_REGIONS = 50


def list_portals(info: Info, tier: Tier | None) -> list[Portal]:
    portals = info.context.gateway.portals.values()
    return [p for p in portals if tier is None or p.tier == tier]


def portal_by_id(info: Info, portal_id: str) -> Portal | None:
    return info.context.gateway.portals.get(portal_id)


async def search_regions(info: Info, search: str) -> list[Region]:
    text = check_text(search, argument="search", minimum=2) or ""
    found = await info.context.loaders.regions(text)
    unique = {r.ars: r for r in found}
    ordered = sorted(unique.values(), key=lambda r: (r.name.casefold(), r.ars))
    return [Region.from_record(r) for r in ordered[:MAX_REGIONS]]
