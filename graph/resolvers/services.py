"""Service descriptions across tiers: ARS inheritance and most-local-wins merging."""

from __future__ import annotations

import hashlib
from typing import Any

from graph.context import Info
from graph.errors import BadUserInputError
from graph.loaders import merge_most_local
from graph.resolvers.arguments import (
    check_ars,
    check_global_id,
    check_leika_key,
    check_text,
)
from graph.resolvers.pagination import page_request, paginate
from graph.types.connection import Connection
from graph.types.service import Service
from sources.base import (
    FEDERAL_ARS,
    Capability,
    ServiceQuery,
    ars_covers,
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
    portals = {p.id: p for p in info.context.network.with_capability(Capability.SERVICES)}
    serving = [p.id for p in portals.values() if ars_covers(p.ars, area)]
    records = await info.context.loaders.search(
        serving, ServiceQuery(area, text, (key,) if key else ())
    )
    views = info.context.resources.portals
    services = [
        Service.from_record(r, views[r.portal_id]) for r in merge_most_local(records, portals)
    ]
    return paginate(
        services,
        list_name=list_name,
        page=page,
        outages=info.context.outage_list(Capability.SERVICES),
    )


async def service_by_id(info: Info, global_id: str, *, argument: str = "id") -> Service | None:
    type_name, parts = check_global_id(global_id, argument=argument)
    if type_name != "Service" or len(parts) != 2:
        raise BadUserInputError(argument, "is not the ID of a Service")
    return await load_service(info, parts[0], parts[1])


async def load_service(info: Info, portal_id: str, service_id: str) -> Service | None:
    portal = info.context.resources.portals.get(portal_id)
    if portal is None or portal_id not in info.context.resources.adapters.directories:
        return None
    record = await info.context.loaders.service(portal_id, service_id)
    return Service.from_record(record, portal) if record else None
