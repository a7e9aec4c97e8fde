"""The viewer's Postfach: the inboxes of the portal entries they are linked to (never every
portal); filters, pages, unread count, mark as read."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, overload

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


class Messages(Sequence[Message]):
    """The sorted records as Messages, each built only when its page is cut: a page of
    500 out of 600 built 600, with the context looked up for each."""

    def __init__(self, info: Info, records: list[MessageRecord]) -> None:
        self.records = records
        self.portals = info.context.gateway.portals
        self.viewer = info.context.viewer

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> Message: ...

    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...

    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return [self._message(r) for r in self.records[index]]
        return self._message(self.records[index])

    def _message(self, record: MessageRecord) -> Message:
        return Message.from_record(record, self.portals[record.portal_id], self.viewer)


NEWEST_FIRST = attrgetter("received_at", "id")


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
    records.sort(key=NEWEST_FIRST, reverse=True)
    return paginate(
        Messages(info, records),
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
