"""A well-formed ARS must name a region the municipality directory knows (issue 20 point 4).

An ARS outside every Land is refused by `check_ars`. Inside a Land (059999999999 in
Nordrhein-Westfalen) the digits alone cannot tell: the PVOG's municipality directory
(`/v3/locations` of the one PVOG, the same call `regions(search:)` makes) decides. Answering with the
federal services alone would hide the mistake from the user.

Cost: no call for the Bund, a Land, or an area that contains a portal of the network
(Köln, the Rhein-Kreis Neuss around Dormagen); otherwise one directory call per ARS,
remembered in the shared cache for `PORTALGRAPH_CACHE_TTL_REGIONS` (public data) and run
alongside the service search, so a first lookup adds no sequential round trip. A
directory that fails decides nothing: the search answers, with its outage.

The directory is asked with the ARS's significant prefix as `q` (the sandbox matches it
against its places' ARS). That the live PVOG's `/v3/locations` matches an ARS in `q` as it
matches names and postal codes is an assumption [I] of reference/portalverbund.md's kind,
to be checked against the live service before production relies on the check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from graph.context import Info
from graph.domain.errors import UnknownRegionError
from sources.base import FEDERAL_ARS, Capability, PortalRecord, ars_covers, ars_prefix

Result = TypeVar("Result")
LAND_PREFIX = 2  # digits of the Land code: every Land is a region


def lookup_text(area: str) -> str:
    """What the directory is asked for: the significant prefix of the 12-digit ARS."""
    return ars_prefix(area)


def known_without_lookup(area: str, portal_areas: Iterable[str]) -> bool:
    """The Bund, a Land, and any area containing a portal's region are known regions."""
    prefix = ars_prefix(area)
    return len(prefix) <= LAND_PREFIX or any(a.startswith(prefix) for a in portal_areas)


def names_a_place(area: str, places: Iterable[str]) -> bool:
    """The rule: an area is a region if the directory knows a place in it (or it itself)."""
    return any(ars_covers(area, place) for place in places)


def land_has_portal(area: str, portals: Iterable[PortalRecord]) -> bool:
    """Whether a portal below the Bund covers the area (its Land is part of the network).

    Outside such Lands nothing here can tell a real place from a mistake (the directory's
    places are only checked where the network serves the Land), and the search answers
    as before.
    """
    return any(p.ars != FEDERAL_ARS and ars_covers(p.ars, area) for p in portals)


async def check_region(info: Info, area: str, *, argument: str = "ars") -> None:
    """Refuse (UNKNOWN_REGION) an ARS inside a Land that names no place the directory knows."""
    portals = list(info.context.gateway.adapters.portals)
    if known_without_lookup(area, (p.ars for p in portals)):
        return
    if not land_has_portal(area, portals):
        return
    places = await info.context.loaders.regions(lookup_text(area))
    if info.context.outages.of(Capability.SERVICES):
        return  # the directory failed: not a verdict on the region
    if not names_a_place(area, (place.ars for place in places)):
        raise UnknownRegionError(
            argument, area, "the municipality directory knows no place with this ARS"
        )


async def in_known_region(
    info: Info, area: str, work: Awaitable[Result], *, argument: str = "ars"
) -> Result:
    """`work` (the search), with the region check running alongside it; the check decides."""
    check = asyncio.create_task(check_region(info, area, argument=argument))
    try:
        result = await work
    except BaseException:
        check.cancel()
        raise
    await check
    return result
