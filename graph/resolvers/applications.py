"""The viewer's applications across portals: one list call per portal, filters, pages."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any

import strawberry

from graph.context import Info
from graph.errors import BadUserInputError
from graph.resolvers.arguments import check_global_id
from graph.resolvers.pagination import page_request, paginate
from graph.types.application import Application
from graph.types.connection import Connection
from sources.base import ApplicationRecord, ApplicationStatus, Capability

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def portals_for(info: Info, capability: Capability, portal: strawberry.ID | None) -> list[str]:
    """The portals to ask: all with the capability, or the one the client named."""
    offering = [p.id for p in info.context.network.with_capability(capability)]
    if portal is None:
        return offering
    if portal not in info.context.resources.portals:
        raise BadUserInputError("portal", "is not a portal of this network")
    return [portal] if portal in offering else []


def newest_first(record: ApplicationRecord) -> tuple[datetime, str]:
    return (record.updated_at or record.created_at or EPOCH, record.id)


async def list_applications(
    info: Info,
    paging: dict[str, Any],
    status: list[ApplicationStatus] | None,
    portal: strawberry.ID | None,
) -> Connection[Application]:
    wanted = frozenset(status or ())
    scope = f"{portal}|{','.join(sorted(s.value for s in wanted))}"
    list_name = "applications-" + hashlib.sha256(scope.encode()).hexdigest()[:12]
    page = page_request(list_name, info.context.settings, **paging)
    portal_ids = portals_for(info, Capability.ACCOUNTS, portal)
    records = await info.context.loaders.applications(info.context.token(), portal_ids)
    records.sort(key=newest_first, reverse=True)
    if wanted:
        histories = await asyncio.gather(*(info.context.application_history(r) for r in records))
        records = [
            r
            for r, h in zip(records, histories, strict=True)
            if (h[-1].status if h else ApplicationStatus.SUBMITTED) in wanted
        ]
    portals = info.context.resources.portals
    return paginate(
        [Application.from_record(r, portals[r.portal_id]) for r in records],
        list_name=list_name,
        page=page,
        outages=info.context.outage_list(Capability.ACCOUNTS),
    )


async def application_by_id(
    info: Info, global_id: str, *, argument: str = "id"
) -> Application | None:
    type_name, parts = check_global_id(global_id, argument=argument)
    if type_name != "Application" or len(parts) != 2:
        raise BadUserInputError(argument, "is not the ID of an Application")
    return await load_application(info, parts[0], parts[1])


async def load_application(info: Info, portal_id: str, application_id: str) -> Application | None:
    record = await info.context.find_application(portal_id, application_id)
    if record is None:
        return None
    return Application.from_record(record, info.context.resources.portals[portal_id])
