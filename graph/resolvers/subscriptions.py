"""The Subscription root: the viewer's own live events, over WebSocket or SSE."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from typing import Annotated, TypeVar

import strawberry
from starlette.requests import Request
from starlette.websockets import WebSocket

from graph.context import Info
from graph.domain.errors import PublicError, TooManySubscriptionsError, UnauthenticatedError
from graph.domain.ids import id_parts
from graph.domain.live_reader import FollowingReader
from graph.resolvers.live_payloads import event_payload
from graph.resolvers.live_setup import follow_viewer, let_go, resume_position, subscribe
from graph.types.event import ApplicationStatusEvent, InboxMessageEvent, PaymentStatusEvent
from graph.types.node import to_global_id
from sources.base import EventKind, EventRecord

TOO_MANY = 4429
P = TypeVar("P", ApplicationStatusEvent, PaymentStatusEvent, InboxMessageEvent)


def application_filter(application_id: strawberry.ID | None) -> tuple[str, str] | None:
    if application_id is None:
        return None
    portal_id, local_id = id_parts(application_id, "Application", argument="applicationId")
    return portal_id, local_id


async def events(
    info: Info,
    kind: EventKind,
    payload_type: type[P],
    application_id: strawberry.ID | None,
    after: str | None,
) -> AsyncGenerator[P, None]:
    """The viewer's events of one kind as payloads, until they unsubscribe or their token
    expires. The resolvers return this generator itself: a generator of theirs around it
    was one more suspended frame for every subscription's life.

    With `after` (or, over SSE, a Last-Event-ID header) the events after that position
    come first, then the live ones, none twice.
    """
    application = application_filter(application_id)
    context = info.context
    viewer, live = context.viewer, context.gateway.live
    if viewer is None:
        raise UnauthenticatedError("Sign in to subscribe to your own updates.", reason="NO_TOKEN")
    if live is None:
        raise PublicError("Live updates are not enabled on this gateway.")
    position = resume_position(live, after or last_event_id(context.request))
    audience = live.audience(viewer.subject)
    try:
        live.open(audience)
    except TooManySubscriptionsError:
        if isinstance(context.request, WebSocket):
            await context.request.close(TOO_MANY, "Too many subscriptions for this viewer")
            return
        raise
    stream = reader = None
    try:
        # Subscribe before following, so nothing published in between is missed; read
        # while the follow is set up (graph/domain/live_reader.py).
        stream = await subscribe(live, audience, position)
        reader = FollowingReader(
            live, stream, lambda: follow_viewer(context, live, viewer, application)
        )
        # A socket is closed at the token's expiry by its connection (graph/http/websockets.py):
        # no timer per wait there, which an idle subscription held for its whole life.
        on_socket = isinstance(context.request, WebSocket)
        while True:
            remaining = None if on_socket else max(viewer.expires_at - time.time(), 0.001)
            try:
                logged = await reader.next(remaining)
            except TimeoutError:  # over SSE: the stream ends with the token
                return
            if logged is None:  # the follow is set up; read on
                continue
            if logged.event.kind is not kind or not _matches(logged.event, application):
                continue
            missed, stream.dropped = stream.dropped, 0
            payload = event_payload(info, logged, missed)
            assert isinstance(payload, payload_type)  # by the event's kind
            yield payload
    finally:
        if stream is not None:
            stream.close()
        await let_go(live, reader, audience)


def last_event_id(request: Request | WebSocket) -> str | None:
    """SSE's resume header (a browser's EventSource sends it on reconnect by itself)."""
    if isinstance(request, WebSocket):
        return None
    return request.headers.get("last-event-id") or None


def _matches(event: EventRecord, application: tuple[str, str] | None) -> bool:
    if application is None:
        return True
    return event.data.get("applicationId") == to_global_id("Application", *application)


AfterArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Resume after this `eventId` (events are kept for"
        " PORTALGRAPH_EVENT_LOG_MAX_AGE, 24 h by default); over SSE the Last-Event-ID"
        " header does the same."
    ),
]
ApplicationArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this application; all of the viewer's when omitted."),
]


@strawberry.type(
    description="Live updates for the signed-in viewer; only their own events are delivered."
)
class Subscription:
    @strawberry.subscription(description="Status changes of the viewer's applications.")
    def application_status_changed(
        self, info: Info, application_id: ApplicationArg = None, after: AfterArg = None
    ) -> AsyncGenerator[ApplicationStatusEvent, None]:
        kind = EventKind.APPLICATION_STATUS
        return events(info, kind, ApplicationStatusEvent, application_id, after)

    @strawberry.subscription(description="Status changes of the viewer's payments, e.g. paid.")
    def payment_status_changed(
        self, info: Info, application_id: ApplicationArg = None, after: AfterArg = None
    ) -> AsyncGenerator[PaymentStatusEvent, None]:
        return events(info, EventKind.PAYMENT_STATUS, PaymentStatusEvent, application_id, after)

    @strawberry.subscription(description="New messages in the viewer's mailboxes.")
    def inbox_message_received(
        self, info: Info, after: AfterArg = None
    ) -> AsyncGenerator[InboxMessageEvent, None]:
        return events(info, EventKind.INBOX_MESSAGE, InboxMessageEvent, None, after)
