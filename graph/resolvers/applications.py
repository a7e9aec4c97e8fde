"""The viewer's applications: the linked account areas' lists merged with what this
gateway submitted for them (the journal, one read per request); filters, pages.

Only where the viewer has something is asked (graph/citizen/view.py), never every portal.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any

import strawberry

from graph.context import Info
from graph.domain.errors import BadUserInputError
from graph.domain.ids import id_parts
from graph.domain.status import current_status
from graph.resolvers.pagination import page_request, paginate
from graph.types.application import Application
from graph.types.connection import Connection
from sources.base import ApplicationRecord, ApplicationStatus, Capability

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def checked_portal(info: Info, portal: strawberry.ID | None) -> str | None:
    """The portal the client named, refused when it is not one of the network's."""
    if portal is not None and portal not in info.context.gateway.portals:
        raise BadUserInputError("portal", "is not a portal of this network")
    return None if portal is None else str(portal)


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
    info.context.token()  # refuses anonymous requests
    records = await info.context.citizen.applications(checked_portal(info, portal))
    records.sort(key=newest_first, reverse=True)
    if wanted:
        histories = await asyncio.gather(
            *(info.context.citizen.application_history(r) for r in records)
        )
        records = [
            r for r, h in zip(records, histories, strict=True) if current_status(h) in wanted
        ]
    portals = info.context.gateway.portals
    return paginate(
        [Application.from_record(r, portals[r.portal_id]) for r in records],
        list_name=list_name,
        page=page,
        outages=info.context.outage_list(Capability.ACCOUNTS),
    )


async def application_by_id(
    info: Info, global_id: str, *, argument: str = "id"
) -> Application | None:
    portal_id, application_id = id_parts(global_id, "Application", argument=argument)
    return await load_application(info, portal_id, application_id)


async def load_application(info: Info, portal_id: str, application_id: str) -> Application | None:
    record = await info.context.citizen.find_application(portal_id, application_id)
    if record is None:
        return None
    return Application.from_record(record, info.context.gateway.portals[portal_id])
