"""Payloads of live subscriptions: each carries the changed object as it is now.

`application`, `payment` and `message` are the same objects queries return (same ids), so
a normalised client cache (Apollo, Graphcache, Relay) updates itself from the event. One
step of a case can produce two status events (FIT-Connect's event log, then the
authority's Statusmonitor): both carry the application's current state, so applying both
is idempotent. graph/resolvers/live_payloads.py builds them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Protocol, Self

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


Read = Callable[[dict[str, Any], ViewerRecord | None], Any]  # one field from an event's data


def _time(key: str) -> Read:
    return lambda data, _: (
        datetime.fromisoformat(v) if isinstance(v := data.get(key), str) else None
    )


def _get(key: str) -> Read:
    return lambda data, _: data.get(key)


def _id(key: str) -> Read:
    return lambda data, _: strawberry.ID(data[key])


def _optional_id(key: str) -> Read:
    return lambda data, _: strawberry.ID(data[key]) if data.get(key) else None


def _level(data: dict[str, Any], _: ViewerRecord | None) -> TrustLevel:
    return TrustLevel(int(data["requiredTrustLevel"]))


class FromData:
    """The one way from an event's data (graph/domain/live_events.py) to its payload: the
    fields every event has, then the type's own, each read by its `FIELDS` entry."""

    FIELDS: ClassVar[dict[str, Read]]

    @classmethod
    def from_data(
        cls,
        data: dict[str, Any],
        portal: Portal,
        missed: int,
        viewer: ViewerRecord | None = None,
        now: CurrentState = UNKNOWN,
        event_id: str = "",
    ) -> Self:
        own = {name: read(data, viewer) for name, read in cls.FIELDS.items()}
        return cls(  # type: ignore[call-arg]  # the strawberry types' dataclass __init__
            event_id=strawberry.ID(event_id), portal=portal, missed_events=missed, now=now, **own
        )


@strawberry.type(description="An application changed status (Statusänderung).")
class ApplicationStatusEvent(FromData):
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
    FIELDS: ClassVar[dict[str, Read]] = {
        "application_id": _id("applicationId"),
        "service_name": _get("serviceName"),
        "reference": _get("reference"),
        "reported_status": lambda data, _: ApplicationStatus(data["status"]),
        "source": lambda data, _: StatusSource(data["source"]),
        "time": _time("time"),
        "detail": _get("detail"),
    }

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


@strawberry.type(description="A payment changed status, e.g. it was paid (bezahlt).")
class PaymentStatusEvent(FromData):
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
    FIELDS: ClassVar[dict[str, Read]] = {
        "payment_id": _id("paymentId"),
        "application_id": _id("applicationId"),
        "transaction_id": lambda data, _: data["transactionId"],
        "status": lambda data, _: PaymentStatus(data["status"]),
        "amount": lambda data, _: Money(cents=int(data["amountCents"]), currency=data["currency"]),
        "time": _time("time"),
    }

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


@strawberry.type(description="A new message arrived in the viewer's mailbox (Postfach).")
class InboxMessageEvent(FromData):
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
    FIELDS: ClassVar[dict[str, Read]] = {
        "message_id": _id("messageId"),
        "subject": lambda data, _: data["subject"],
        "sender": lambda data, _: data["sender"],
        "service": _get("service"),
        "received_at": _time("receivedAt"),
        "is_notice": lambda data, _: bool(data.get("isNotice")),
        "required_trust_level": _level,
        "locked": lambda data, viewer: not can_open(_level(data, viewer), viewer),
        "application_id": _optional_id("applicationId"),
    }

    @strawberry.field(
        description="The message as the inbox lists it (locked like there); null if the"
        " mailbox could not be asked. Loaded when selected."
    )
    async def message(self) -> Message | None:
        return await self.now.message()
