"""The viewer's Postfach across portals: filters, pages, unread count, mark as read."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any

import strawberry

from graph.context import Info
from graph.errors import BadUserInputError, NotFoundError, PublicError
from graph.resolvers.applications import portals_for
from graph.resolvers.arguments import check_global_id
from graph.resolvers.pagination import page_request, paginate
from graph.types.connection import Connection
from graph.types.message import Message
from sources.base import Capability, MessageRecord


class InsufficientTrustLevelError(PublicError):
    code = "INSUFFICIENT_TRUST_LEVEL"


def as_message(info: Info, record: MessageRecord) -> Message:
    viewer = info.context.viewer
    assert viewer is not None  # messages are only loaded for a signed-in viewer
    return Message.from_record(
        record, info.context.resources.portals[record.portal_id], viewer.trust_level
    )


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
        type_name, parts = check_global_id(application, argument="application")
        if type_name != "Application" or len(parts) != 2:
            raise BadUserInputError("application", "is not the ID of an Application")
        linked = (parts[0], parts[1])
    portal_ids = portals_for(info, Capability.INBOX, portal)
    if linked is not None:
        portal_ids = [p for p in portal_ids if p == linked[0]]
    records = await info.context.loaders.messages(info.context.token(), portal_ids)
    if unread_only:
        records = [m for m in records if m.read_at is None]
    if linked is not None:
        records = [m for m in records if m.application_id == linked[1]]
    records.sort(key=lambda m: (m.received_at, m.id), reverse=True)
    return paginate(
        [as_message(info, m) for m in records],
        list_name=list_name,
        page=page,
        outages=info.context.outage_list(Capability.INBOX),
    )


async def unread_count(info: Info) -> int:
    portal_ids = portals_for(info, Capability.INBOX, None)
    records = await info.context.loaders.messages(info.context.token(), portal_ids)
    return sum(1 for m in records if m.read_at is None)


def message_parts(global_id: str, *, argument: str = "id") -> tuple[str, str]:
    type_name, parts = check_global_id(global_id, argument=argument)
    if type_name != "Message" or len(parts) != 2:
        raise BadUserInputError(argument, "is not the ID of a Message")
    return parts[0], parts[1]


async def load_message(info: Info, portal_id: str, message_id: str) -> Message | None:
    record = await info.context.find_message(portal_id, message_id)
    return as_message(info, record) if record else None


async def mark_read(info: Info, global_id: str) -> Message:
    portal_id, message_id = message_parts(global_id)
    record = await info.context.find_message(portal_id, message_id)
    if record is None:
        raise NotFoundError("No such message in your mailbox.")
    viewer = info.context.viewer
    if viewer is None or record.required_trust_level > viewer.trust_level:
        raise InsufficientTrustLevelError(
            "Sign in with a higher trust level to open this message.",
            requiredTrustLevel=record.required_trust_level.name,
        )
    if record.read_at is None:
        await info.context.loaders.mark_read(portal_id, info.context.token(), message_id)
        record = dataclasses.replace(record, read_at=datetime.now(UTC))
    return as_message(info, record)
