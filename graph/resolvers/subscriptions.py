"""The Subscription root: the viewer's own live events, over WebSocket or SSE."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from starlette.websockets import WebSocket

from graph.context import Context, Info
from graph.domain.errors import (
    NotFoundError,
    PublicError,
    TooManySubscriptionsError,
    UnauthenticatedError,
)
from graph.domain.ids import id_parts
from graph.resolvers.live_payloads import event_payload
from graph.types.event import ApplicationStatusEvent, InboxMessageEvent, PaymentStatusEvent
from graph.types.node import to_global_id
from sources.base import EventKind, EventRecord

TOKEN_EXPIRED = 4403
TOO_MANY = 4429


def application_filter(application_id: strawberry.ID | None) -> tuple[str, str] | None:
    if application_id is None:
        return None
    portal_id, local_id = id_parts(application_id, "Application", argument="applicationId")
    return portal_id, local_id


async def events(
    info: Info, kind: EventKind, application: tuple[str, str] | None
) -> AsyncGenerator[tuple[EventRecord, int], None]:
    """The viewer's events of one kind, until they unsubscribe or their token expires."""
    context = info.context
    viewer, live = context.viewer, context.gateway.live
    if viewer is None:
        raise UnauthenticatedError("Sign in to subscribe to your own updates.", reason="NO_TOKEN")
    if live is None:
        raise PublicError("Live updates are not enabled on this gateway.")
    audience = live.audience(viewer.subject)
    try:
        live.open(audience)
    except TooManySubscriptionsError:
        if isinstance(context.request, WebSocket):
            await context.request.close(TOO_MANY, "Too many subscriptions for this viewer")
            return
        raise
    # Subscribe before following, so nothing published in between is missed.
    stream = live.broker.subscribe(audience, max_queue=live.max_queue)
    follow = None
    try:
        # Fresh loaders, dropped right after: the connection may live for hours, and a
        # set of loaders held per subscription was ~15 KiB of idle memory (bench/).
        # Only what the viewer has (graph/citizen): linked account areas, the journal.
        citizen = Context.build(context.gateway, context.request, None, viewer).citizen
        applications = await citizen.applications()
        wanted = None
        if application is not None:
            if not any((a.portal_id, a.id) == application for a in applications):
                raise NotFoundError("No such application in your account.")
            wanted = [a for a in applications if (a.portal_id, a.id) == application]
        followed = wanted or applications
        payments = [(link, a) for a in followed for link in await citizen.payment_links(a)]
        follow = await live.follow(
            viewer,
            followed,
            uuid.uuid4().hex,
            inboxes=await citizen.linked_entries(),
            payments=payments,
        )
        while True:
            remaining = viewer.expires_at - time.time()
            try:
                event = await asyncio.wait_for(stream.next(), timeout=max(remaining, 0.001))
            except TimeoutError:
                if isinstance(context.request, WebSocket):
                    await context.request.close(TOKEN_EXPIRED, "Token expired")
                return
            if event.kind is not kind or not _matches(event, application):
                continue
            missed, stream.dropped = stream.dropped, 0
            yield event, missed
    finally:
        stream.close()
        if follow is not None:
            await live.unfollow(follow)
        live.close(audience)


def _matches(event: EventRecord, application: tuple[str, str] | None) -> bool:
    if application is None:
        return True
    return event.data.get("applicationId") == to_global_id("Application", *application)


ApplicationArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this application; all of the viewer's when omitted."),
]


@strawberry.type(
    description="Live updates for the signed-in viewer; only their own events are delivered."
)
class Subscription:
    @strawberry.subscription(description="Status changes of the viewer's applications.")
    async def application_status_changed(
        self, info: Info, application_id: ApplicationArg = None
    ) -> AsyncGenerator[ApplicationStatusEvent, None]:
        wanted = application_filter(application_id)
        async for event, missed in events(info, EventKind.APPLICATION_STATUS, wanted):
            payload = event_payload(info, event, missed)
            assert isinstance(payload, ApplicationStatusEvent)  # by the event's kind
            yield payload

    @strawberry.subscription(description="Status changes of the viewer's payments, e.g. paid.")
    async def payment_status_changed(
        self, info: Info, application_id: ApplicationArg = None
    ) -> AsyncGenerator[PaymentStatusEvent, None]:
        wanted = application_filter(application_id)
        async for event, missed in events(info, EventKind.PAYMENT_STATUS, wanted):
            payload = event_payload(info, event, missed)
            assert isinstance(payload, PaymentStatusEvent)  # by the event's kind
            yield payload

    @strawberry.subscription(description="New messages in the viewer's mailboxes.")
    async def inbox_message_received(self, info: Info) -> AsyncGenerator[InboxMessageEvent, None]:
        async for event, missed in events(info, EventKind.INBOX_MESSAGE, None):
            payload = event_payload(info, event, missed)
            assert isinstance(payload, InboxMessageEvent)  # by the event's kind
            yield payload
