"""Payloads of live subscriptions: each carries the changed object as it is now.

`application`, `payment` and `message` are the same objects queries return (same ids), so
a normalised client cache (Apollo, Graphcache, Relay) updates itself from the event. One
step of a case can produce two status events (FIT-Connect's event log, then the
authority's Statusmonitor): both carry the application's current state, so applying both
is idempotent. graph/resolvers/live_payloads.py builds them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import strawberry

from graph.domain.access import can_open
from graph.types.application import Application
from graph.types.message import Message
from graph.types.payment import Money, Payment
from graph.types.portal import Portal, TrustLevel
from sources.base import ApplicationStatus, PaymentStatus, StatusSource, ViewerRecord


class CurrentState(Protocol):
    """The changed object, loaded when (and only when) a client selects it."""

    async def application(self) -> Application | None: ...

    async def payment(self) -> Payment | None: ...

    async def message(self) -> Message | None: ...


class _Unknown:
    async def application(self) -> Application | None:
        return None

    async def payment(self) -> Payment | None:
        return None

    async def message(self) -> Message | None:
        return None


UNKNOWN = _Unknown()


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@strawberry.type(description="An application changed status (Statusänderung).")
class ApplicationStatusEvent:
    event_id: strawberry.ID = strawberry.field(
        description="This event's position in the event log: pass it back as `after` (or as"
        " SSE Last-Event-ID) to resume right after it."
    )
    application_id: strawberry.ID = strawberry.field(description="Global ID of the application.")
    service_name: str | None = strawberry.field(description="Name of the service applied for.")
    reference: str | None = strawberry.field(description="File reference (Aktenzeichen).")
    reported_status: ApplicationStatus = strawberry.field(
        description="The status this event reported (may already be overtaken by `status`)."
    )
    source: StatusSource = strawberry.field(description="Which system reported it.")
    time: datetime | None = strawberry.field(description="When the status was reached.")
    detail: str | None = strawberry.field(description="Human-readable detail.")
    portal: Portal = strawberry.field(description="Portal the application was made through.")
    missed_events: int = strawberry.field(
        description="Events dropped before this one because the client read too slowly; refetch if > 0."
    )
    now: strawberry.Private[CurrentState] = UNKNOWN

    @strawberry.field(description="The application's status after this change: its current status.")
    async def status(self) -> ApplicationStatus:
        application = await self.now.application()
        history = application.history_now if application is not None else None
        return history[-1].status if history else self.reported_status

    @strawberry.field(
        description="The application as it is now (status, statusHistory, payments, …); null"
        " if its portal could not be asked. Loaded when selected."
    )
    async def application(self) -> Application | None:
        return await self.now.application()

    @classmethod
    def from_data(
        cls,
        data: dict[str, Any],
        portal: Portal,
        missed: int,
        now: CurrentState = UNKNOWN,
        event_id: str = "",
    ) -> ApplicationStatusEvent:
        return cls(
            event_id=strawberry.ID(event_id),
            application_id=strawberry.ID(data["applicationId"]),
            service_name=data.get("serviceName"),
            reference=data.get("reference"),
            reported_status=ApplicationStatus(data["status"]),
            source=StatusSource(data["source"]),
            time=_time(data.get("time")),
            detail=data.get("detail"),
            portal=portal,
            missed_events=missed,
            now=now,
        )


@strawberry.type(description="A payment changed status, e.g. it was paid (bezahlt).")
class PaymentStatusEvent:
    event_id: strawberry.ID = strawberry.field(
        description="This event's position in the event log: pass it back as `after` (or as"
        " SSE Last-Event-ID) to resume right after it."
    )
    payment_id: strawberry.ID = strawberry.field(description="Global ID of the payment.")
    application_id: strawberry.ID = strawberry.field(
        description="Global ID of the application paid for."
    )
    transaction_id: str = strawberry.field(description="Transaction id at the payment provider.")
    status: PaymentStatus = strawberry.field(description="The new payment status.")
    amount: Money = strawberry.field(description="Total amount.")
    time: datetime | None = strawberry.field(description="When it was paid, if paid.")
    portal: Portal = strawberry.field(description="Portal whose provider holds the payment.")
    missed_events: int = strawberry.field(
        description="Events dropped before this one; refetch if > 0."
    )
    now: strawberry.Private[CurrentState] = UNKNOWN

    @strawberry.field(
        description="The payment as it is now; null if its provider could not be asked."
        " Loaded when selected."
    )
    async def payment(self) -> Payment | None:
        return await self.now.payment()

    @strawberry.field(
        description="The application paid for, as it is now (with its payments)."
        " Loaded when selected."
    )
    async def application(self) -> Application | None:
        return await self.now.application()

    @classmethod
    def from_data(
        cls,
        data: dict[str, Any],
        portal: Portal,
        missed: int,
        now: CurrentState = UNKNOWN,
        event_id: str = "",
    ) -> PaymentStatusEvent:
        return cls(
            event_id=strawberry.ID(event_id),
            payment_id=strawberry.ID(data["paymentId"]),
            application_id=strawberry.ID(data["applicationId"]),
            transaction_id=data["transactionId"],
            status=PaymentStatus(data["status"]),
            amount=Money(cents=int(data["amountCents"]), currency=data["currency"]),
            time=_time(data.get("time")),
            portal=portal,
            missed_events=missed,
            now=now,
        )


@strawberry.type(description="A new message arrived in the viewer's mailbox (Postfach).")
class InboxMessageEvent:
    event_id: strawberry.ID = strawberry.field(
        description="This event's position in the event log: pass it back as `after` (or as"
        " SSE Last-Event-ID) to resume right after it."
    )
    message_id: strawberry.ID = strawberry.field(
        description="Global ID of the message; query it with node(id:)."
    )
    subject: str = strawberry.field(description="Subject line (Betreff).")
    sender: str = strawberry.field(description="Sending authority (Absender).")
    service: str | None = strawberry.field(description="Service the message is about.")
    received_at: datetime | None = strawberry.field(description="When it arrived.")
    is_notice: bool = strawberry.field(description="Whether it is an official notice (Bescheid).")
    required_trust_level: TrustLevel = strawberry.field(
        description="Trust level needed to open it."
    )
    locked: bool = strawberry.field(
        description="True when the viewer's sign-in is too weak to open it."
    )
    application_id: strawberry.ID | None = strawberry.field(
        description="Application it belongs to, if any."
    )
    portal: Portal = strawberry.field(description="Portal whose mailbox received it.")
    missed_events: int = strawberry.field(
        description="Events dropped before this one; refetch if > 0."
    )
    now: strawberry.Private[CurrentState] = UNKNOWN

    @strawberry.field(
        description="The message as the inbox lists it (locked like there); null if the"
        " mailbox could not be asked. Loaded when selected."
    )
    async def message(self) -> Message | None:
        return await self.now.message()

    @classmethod
    def from_data(
        cls,
        data: dict[str, Any],
        portal: Portal,
        missed: int,
        viewer: ViewerRecord | None,
        now: CurrentState = UNKNOWN,
        event_id: str = "",
    ) -> InboxMessageEvent:
        level = TrustLevel(int(data["requiredTrustLevel"]))
        return cls(
            event_id=strawberry.ID(event_id),
            message_id=strawberry.ID(data["messageId"]),
            subject=data["subject"],
            sender=data["sender"],
            service=data.get("service"),
            received_at=_time(data.get("receivedAt")),
            is_notice=bool(data.get("isNotice")),
            required_trust_level=level,
            locked=not can_open(level, viewer),
            application_id=strawberry.ID(data["applicationId"])
            if data.get("applicationId")
            else None,
            portal=portal,
            missed_events=missed,
            now=now,
        )
