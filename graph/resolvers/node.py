"""The Relay `node(id:)` entry point: dispatch an opaque ID to its type's loader."""

from __future__ import annotations

from graph.context import Info
from graph.domain.ids import check_global_id
from graph.resolvers.applications import load_application
from graph.resolvers.inbox import load_message
from graph.resolvers.services import load_service
from graph.types.node import Node
from graph.types.payment import Payment


async def node_by_id(info: Info, global_id: str) -> Node | None:
    type_name, parts = check_global_id(global_id)
    if type_name == "Service" and len(parts) == 2:
        return await load_service(info, parts[0], parts[1])
    # The viewer's own objects: found only in their own lists, so another citizen's ID is null.
    if type_name == "Application" and len(parts) == 2:
        return await load_application(info, parts[0], parts[1])
    if type_name == "Message" and len(parts) == 2:
        return await load_message(info, parts[0], parts[1])
    if type_name == "Payment" and len(parts) == 3:
        return await load_payment(info, *parts)
    return None


async def load_payment(
    info: Info, portal_id: str, application_id: str, transaction_id: str
) -> Payment | None:
    application = await info.context.citizen.find_application(portal_id, application_id)
    if application is None:
        return None
    records = await info.context.citizen.application_payments(application)
    found = [r for r in records if r.transaction_id == transaction_id]
    portal = info.context.gateway.portals[portal_id]
    return Payment.from_record(found[0], portal, application_id) if found else None
