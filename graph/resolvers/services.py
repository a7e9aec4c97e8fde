"""Service descriptions across tiers: ARS inheritance and most-local-wins merging."""

from __future__ import annotations

import hashlib
from typing import Any

from graph.context import Info
from graph.domain.ids import id_parts
from graph.resolvers.arguments import check_ars, check_leika_key, check_text
from graph.resolvers.known_regions import in_known_region
from graph.resolvers.pagination import page_request
from graph.resolvers.services_paging import paged_services
from graph.types.connection import Connection
from graph.types.service import Service
from sources.base import (
    FEDERAL_ARS,
    Capability,
    ServiceQuery,
)


async def search_services(
    info: Info,
    query: str | None,
    ars: str | None,
    leika_key: str | None,
    paging: dict[str, Any],
) -> Connection[Service]:
    area = check_ars(ars) if ars is not None else FEDERAL_ARS
    text = check_text(query, argument="query")
    key = check_leika_key(leika_key) if leika_key is not None else None
    list_name = "services-" + hashlib.sha256(f"{area}|{text}|{key}".encode()).hexdigest()[:12]
    page = page_request(list_name, info.context.settings, **paging)
    # One PVOG directory serves every search (network file v2): page on it (issue 17 item 9).
    connection = await in_known_region(
        info,
        area,
        paged_services(
            info,
            ServiceQuery(area, text, (key,) if key else ()),
            list_name=list_name,
            page=page,
            outages=lambda: info.context.outage_list(Capability.SERVICES),
        ),
    )
    # The region check runs alongside the search and may fail after it: its outage counts.
    connection.outages = info.context.outage_list(Capability.SERVICES)
    return connection


async def service_by_id(info: Info, global_id: str, *, argument: str = "id") -> Service | None:
    portal_id, service_id = id_parts(global_id, "Service", argument=argument)
    return await load_service(info, portal_id, service_id)


async def load_service(info: Info, portal_id: str, service_id: str) -> Service | None:
    portal = info.context.gateway.portals.get(portal_id)
    if portal is None or info.context.gateway.adapters.directory is None:
        return None
    record = await info.context.loaders.service(service_id)
    if record is None:
        return None
    # The description's own ARS decides whose text it is, not the id the client held.
    return Service.from_record(record, info.context.gateway.portals.get(record.portal_id, portal))
