"""The viewer's Postfach: the inboxes of the portal entries they are linked to (never every
portal); filters, pages, unread count, mark as read."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any

import strawberry

from graph.context import Info
from graph.domain.access import can_open
from graph.domain.errors import InsufficientTrustLevelError, NotFoundError
from graph.domain.ids import id_parts
from graph.resolvers.applications import checked_portal
from graph.resolvers.pagination import page_request, paginate
from graph.types.connection import Connection
from graph.types.message import Message
from sources.base import Capability, MessageRecord


def as_message(info: Info, record: MessageRecord) -> Message:
    portal = info.context.gateway.portals[record.portal_id]
    return Message.from_record(record, portal, info.context.viewer)


async def list_messages(
    info: Info,
    paging: dict[str, Any],
    unread_only: bool,
    portal: strawberry.ID | None,
    application: strawberry.ID | None,
) -> Connection[Message]:
    list_name = (
        "inbox-" + hashlib.sha256(f"{unread_only}|{portal}|{application}".encode()).hexdigest()[:12]
    )
    page = page_request(list_name, info.context.settings, **paging)
    linked: tuple[str, str] | None = None
    if application is not None:
        portal_id, application_id = id_parts(application, "Application", argument="application")
        linked = (portal_id, application_id)
    named = checked_portal(info, portal)
    if linked is not None and named not in (None, linked[0]):
        records: list[MessageRecord] = []
    else:
        info.context.token()  # refuses anonymous requests
        citizen = info.context.citizen
        records = await (
            citizen.application_messages(*linked) if linked else citizen.messages(named)
        )
    if unread_only:
        records = [m for m in records if m.read_at is None]
    records.sort(key=lambda m: (m.received_at, m.id), reverse=True)
    return paginate(
        [as_message(info, m) for m in records],
        list_name=list_name,
        page=page,
        outages=info.context.outage_list(Capability.INBOX),
    )


async def unread_count(info: Info) -> int:
    info.context.token()  # refuses anonymous requests
    records = await info.context.citizen.messages()
    return sum(1 for m in records if m.read_at is None)


async def load_message(info: Info, portal_id: str, message_id: str) -> Message | None:
    record = await info.context.citizen.find_message(portal_id, message_id)
    return as_message(info, record) if record else None


async def mark_read(info: Info, global_id: str) -> Message:
    portal_id, message_id = id_parts(global_id, "Message")
    record = await info.context.citizen.find_message(portal_id, message_id)
    if record is None:
        raise NotFoundError("No such message in your mailbox.")
    if not can_open(record.required_trust_level, info.context.viewer):
        raise InsufficientTrustLevelError(
            "Sign in with a higher trust level to open this message.",
            requiredTrustLevel=record.required_trust_level.name,
        )
    if record.read_at is None:
        await info.context.actions.mark_read(portal_id, info.context.token(), message_id)
        record = dataclasses.replace(record, read_at=datetime.now(UTC))
    return as_message(info, record)
