"""The viewer's applications across portals: one list call per portal, merged with what
this gateway submitted for them (the journal, one query per request); filters, pages."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any

import strawberry

from graph.context import Info
from graph.domain.errors import BadUserInputError
from graph.domain.ids import id_parts
from graph.domain.own_applications import merge_own
from graph.domain.status import current_status
from graph.resolvers.pagination import page_request, paginate
from graph.types.application import Application
from graph.types.connection import Connection
from sources.base import ApplicationRecord, ApplicationStatus, Capability

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def portals_for(info: Info, capability: Capability, portal: strawberry.ID | None) -> list[str]:
    """The portals to ask: all with the capability, or the one the client named."""
    adapters = info.context.gateway.adapters
    # By portal entry (a platform's account area serves all its municipalities).
    by_entry = adapters.account_areas if capability is Capability.ACCOUNTS else adapters.postboxes
    offering = list(by_entry)
    if portal is None:
        return offering
    if portal not in info.context.gateway.portals:
        raise BadUserInputError("portal", "is not a portal of this network")
    entry = adapters.entry_id(portal) or portal
    return [entry] if entry in offering else []


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
    own = [e for e in await info.context.own_submissions() if portal in (None, e.portal_id)]
    records = merge_own(records, own)
    records.sort(key=newest_first, reverse=True)
    if wanted:
        histories = await asyncio.gather(*(info.context.application_history(r) for r in records))
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
    record = await info.context.find_application(portal_id, application_id)
    if record is None:
        return None
    return Application.from_record(record, info.context.gateway.portals[portal_id])
