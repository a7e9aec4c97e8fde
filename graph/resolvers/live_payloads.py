"""The payload of one live event: the event's own fields plus the changed object, now.

The object (`application`, `payment`, `message`) is loaded only when the client selects
it, once per event however many fields ask, and through a fresh Context: the
subscription's own loaders live as long as the connection and would answer each later
event with the state of the first. A client that selects only the event's own fields
costs no upstream call (bench/: 1,000 events per second). The event transport underneath
(graph/domain/live.py) only delivers EventRecords; this is the one place that turns one into
what a client receives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from graph.context import Context, Info
from graph.domain.ids import from_global_id
from graph.types.application import Application
from graph.types.event import ApplicationStatusEvent, InboxMessageEvent, PaymentStatusEvent
from graph.types.message import Message
from graph.types.payment import Payment
from sources.base import EventKind, EventRecord, LoggedEvent, ViewerRecord

Payload = ApplicationStatusEvent | PaymentStatusEvent | InboxMessageEvent
T = TypeVar("T")


def event_payload(info: Info, logged: LoggedEvent, missed: int) -> Payload:
    """`eventId` is the event's position in the log (what a client resumes after)."""
    viewer = info.context.viewer
    assert viewer is not None  # subscriptions refuse anonymous viewers before any event
    event, position = logged.event, logged.position
    portal = info.context.gateway.portals[event.portal_id]
    now = Now(info.context, viewer, event)
    if event.kind is EventKind.INBOX_MESSAGE:
        return InboxMessageEvent.from_data(event.data, portal, missed, viewer, now, position)
    if event.kind is EventKind.PAYMENT_STATUS:
        return PaymentStatusEvent.from_data(event.data, portal, missed, viewer, now, position)
    return ApplicationStatusEvent.from_data(event.data, portal, missed, viewer, now, position)


class Now:
    """The current state of the event's object, loaded on first use (graph.types.event)."""

    def __init__(self, context: Context, viewer: ViewerRecord, event: EventRecord) -> None:
        self.context, self.viewer, self.event = context, viewer, event
        self.loaded: dict[str, asyncio.Future[object]] = {}

    def _fresh(self) -> Context:
        return Context.build(self.context.gateway, self.context.request, None, self.viewer)

    async def _once(self, name: str, load: Callable[[], Awaitable[T]]) -> T:
        if name not in self.loaded:
            self.loaded[name] = asyncio.ensure_future(load())
        return await self.loaded[name]  # type: ignore[return-value] # stored by the same name

    async def application(self) -> Application | None:
        return await self._once("application", self._load_application)

    async def payment(self) -> Payment | None:
        application = await self.application()
        if application is None:
            return None
        wanted = self.event.data.get("transactionId")
        found = [p for p in application.payments_now or () if p.transaction_id == wanted]
        if not found:
            return None
        return Payment.from_record(found[0], application.portal, application.record.id)

    async def message(self) -> Message | None:
        return await self._once("message", self._load_message)

    async def _load_application(self) -> Application | None:
        portal_id, application_id = _parts(self.event.data.get("applicationId"))
        fresh = self._fresh()
        record = await fresh.citizen.find_application(portal_id, application_id)
        if record is None:
            return None
        application = Application.from_record(record, fresh.gateway.portals[portal_id])
        application.history_now = await fresh.citizen.application_history(record)
        application.payments_now = await fresh.citizen.application_payments(record)
        return application

    async def _load_message(self) -> Message | None:
        portal_id, message_id = _parts(self.event.data.get("messageId"))
        record = await self._fresh().citizen.find_message(portal_id, message_id)
        if record is None:
            return None
        portal = self.context.gateway.portals[portal_id]
        return Message.from_record(record, portal, self.viewer)


def _parts(global_id: object) -> tuple[str, str]:
    """(portal id, object id) of an id the event log wrote; empty for anything else."""
    try:
        _, parts = from_global_id(str(global_id))
    except ValueError:
        return "", ""
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")
