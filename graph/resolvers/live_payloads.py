"""The payload of one live event: the event's own fields plus the changed object, now.

Every object is loaded fresh for the event (a new Context, so new loaders): the
subscription's own loaders live as long as the connection and would answer each later
event with the state of the first. The event transport underneath (graph/live.py,
sources/*events*) only delivers EventRecords; this is the one place that turns one into
what a client receives.
"""

from __future__ import annotations

from graph.context import Context, Info
from graph.types.application import Application
from graph.types.event import ApplicationStatusEvent, InboxMessageEvent, PaymentStatusEvent
from graph.types.message import Message
from graph.types.node import from_global_id
from graph.types.payment import Payment
from sources.base import EventKind, EventRecord

Payload = ApplicationStatusEvent | PaymentStatusEvent | InboxMessageEvent


async def event_payload(info: Info, event: EventRecord, missed: int) -> Payload:
    context = info.context
    viewer = context.viewer
    assert viewer is not None  # subscriptions refuse anonymous viewers before any event
    fresh = Context.build(context.resources, context.request, None, viewer=viewer)
    portal = context.resources.portals[event.portal_id]
    data = event.data
    if event.kind is EventKind.INBOX_MESSAGE:
        _, (portal_id, message_id) = _parts(data["messageId"])
        record = await fresh.find_message(portal_id, message_id)
        message = Message.from_record(record, portal, viewer.trust_level) if record else None
        return InboxMessageEvent.from_data(data, portal, missed, viewer.trust_level, message)
    application = await _application_now(fresh, data["applicationId"])
    if event.kind is EventKind.PAYMENT_STATUS:
        payment = None
        if application is not None:
            wanted = data["transactionId"]
            found = [p for p in application.payments_now or () if p.transaction_id == wanted]
            if found:
                payment = Payment.from_record(found[0], portal, application.record.id)
        return PaymentStatusEvent.from_data(data, portal, missed, payment, application)
    history = application.history_now if application is not None else None
    status = history[-1].status if history else None
    return ApplicationStatusEvent.from_data(data, portal, missed, application, status)


async def _application_now(fresh: Context, global_id: str) -> Application | None:
    _, (portal_id, application_id) = _parts(global_id)
    record = await fresh.find_application(portal_id, application_id)
    if record is None:
        return None
    application = Application.from_record(record, fresh.resources.portals[portal_id])
    application.history_now = await fresh.application_history(record)
    application.payments_now = await fresh.loaders.payments(portal_id, record.payments)
    return application


def _parts(global_id: str) -> tuple[str, tuple[str, str]]:
    """(type, (portal id, object id)) of an id the event log itself wrote."""
    type_name, parts = from_global_id(global_id)
    return type_name, (parts[0], parts[1])
