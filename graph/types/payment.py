"""Payments (XBezahldienste paymenttransaction) and money."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from graph.types.node import Node, to_global_id
from graph.types.portal import Portal
from graph.types.vocabulary import describe_values
from sources.base import PaymentItemRecord, PaymentRecord, PaymentStatus

strawberry.enum(
    PaymentStatus,
    description="Status of a payment (XBezahldienste Statusmodell): INITIAL is open, PAYED is paid.",
)
describe_values(
    PaymentStatus,
    {
        "INITIAL": "Created and open, not paid yet (offen).",
        "PAYED": "Paid (bezahlt); spelled as XBezahldienste spells it.",
        "CANCELED": "Cancelled by the payer or the provider (abgebrochen).",
        "FAILED": "The payment failed (fehlgeschlagen).",
    },
)


@strawberry.type(description="An amount of money in cents with its currency.")
class Money:
    cents: int = strawberry.field(description="Amount in cents (Cent), e.g. 7000 for 70,00 €.")
    currency: str = strawberry.field(description="ISO 4217 currency code, always EUR.")


@strawberry.type(description="One position of a payment (Zahlungsposition).")
class PaymentItem:
    description: str = strawberry.field(description="What the position is for.")
    reference: str | None = strawberry.field(description="Fee reference (Gebührennummer), if any.")
    quantity: int = strawberry.field(description="Quantity (Menge).")
    total: Money = strawberry.field(description="Total of the position.")

    @classmethod
    def from_record(cls, record: PaymentItemRecord, currency: str) -> PaymentItem:
        return cls(
            description=record.description,
            reference=record.reference,
            quantity=record.quantity,
            total=Money(cents=record.total_cents, currency=currency),
        )


@strawberry.type(description="A payment for an application (XBezahldienste paymenttransaction).")
class Payment(Node):
    transaction_id: str = strawberry.field(description="Transaction id at the payment provider.")
    status: PaymentStatus = strawberry.field(description="Current payment status.")
    status_detail: str | None = strawberry.field(
        description="Detail the provider gives for the status."
    )
    amount: Money = strawberry.field(description="Total amount (grosAmount).")
    purpose: str | None = strawberry.field(description="Purpose of payment (Verwendungszweck).")
    description: str | None = strawberry.field(description="Description shown on the pay page.")
    items: list[PaymentItem] = strawberry.field(description="Positions of the payment.")
    method: str | None = strawberry.field(
        description="Payment method once paid, e.g. CREDITCARD, PAYPAL, GIROPAY."
    )
    reference: str | None = strawberry.field(
        description="Cashier reference (Kassenzeichen), once paid."
    )
    redirect_url: str | None = strawberry.field(
        description="Where the user pays (pay page); only while the payment is open (INITIAL)."
    )
    requested_at: datetime | None = strawberry.field(description="When the payment was requested.")
    paid_at: datetime | None = strawberry.field(description="When the payment succeeded.")
    portal: Portal = strawberry.field(
        description="Portal whose payment provider holds the transaction."
    )

    @classmethod
    def from_record(cls, record: PaymentRecord, portal: Portal, application_id: str) -> Payment:
        is_open = record.status is PaymentStatus.INITIAL
        return cls(
            id=to_global_id("Payment", portal.id, application_id, record.transaction_id),
            transaction_id=record.transaction_id,
            status=record.status,
            status_detail=record.status_detail,
            amount=Money(cents=record.amount_cents, currency=record.currency),
            purpose=record.purpose,
            description=record.description,
            items=[PaymentItem.from_record(i, record.currency) for i in record.items],
            method=record.method,
            reference=record.reference,
            redirect_url=record.redirect_url if is_open else None,
            requested_at=record.requested_at,
            paid_at=record.paid_at,
            portal=portal,
        )


@strawberry.input(
    description="One entry of a position's booking data (XBezahldienste `bookingData`), e.g. Haushaltsstelle."
)
class BookingDataInput:
    key: str = strawberry.field(description="The provider's key (1 to 50 characters).")
    value: str = strawberry.field(description="Its value (at most 250 characters).")


@strawberry.input(description="One position to pay (Zahlungsposition).")
class PaymentItemInput:
    description: str = strawberry.field(description="What the position is for (≤ 250 characters).")
    amount_cents: int = strawberry.field(description="Total of the position in cents (> 0).")
    quantity: int = strawberry.field(default=1, description="Quantity (Menge), at least 1.")
    reference: str | None = strawberry.field(
        default=None, description="Fee reference (Gebührennummer)."
    )
    booking_data: list[BookingDataInput] = strawberry.field(
        default_factory=list,
        description="Provider-specific booking data of the position (at most 20 entries, each key once); the provider books with them.",
    )


@strawberry.input(description="Start paying for an application (XBezahldienste PaymentRequest).")
class StartPaymentInput:
    application_id: strawberry.ID = strawberry.field(
        description="Global ID of the viewer's application."
    )
    request_id: str = strawberry.field(
        description="Idempotency key chosen by the client (≤ 36 characters: letters, digits, '-', '_'); reuse it to retry."
    )
    items: list[PaymentItemInput] = strawberry.field(description="Positions, 1 to 99.")
    total_cents: int = strawberry.field(
        description="Total in cents; must equal the sum of the items."
    )
    purpose: str | None = strawberry.field(
        default=None,
        description="Purpose of payment (Verwendungszweck, ≤ 27 characters); defaults to the file reference.",
    )
    redirect_url: str | None = strawberry.field(
        default=None,
        description="Where the pay page sends the user back; defaults to the portal's website.",
    )


@strawberry.enum(description="Why a payment could not be started.")
class PaymentRejection(enum.Enum):
    PAYMENT_EXISTS = "PAYMENT_EXISTS"
    CALCULATION_ERROR = "CALCULATION_ERROR"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    NO_PAYMENT_PROVIDER = "NO_PAYMENT_PROVIDER"


describe_values(
    PaymentRejection,
    {
        "PAYMENT_EXISTS": "The application already has an open or paid payment.",
        "CALCULATION_ERROR": "The payment provider could not calculate the amount.",
        "VALIDATION_ERROR": "The payment provider refused the request's data.",
        "NO_PAYMENT_PROVIDER": "The portal has no payment provider (Bezahldienst).",
    },
)


@strawberry.type(description="The payment was created; send the user to `redirectUrl` to pay.")
class PaymentStarted:
    payment: Payment = strawberry.field(description="The new, open payment.")
    redirect_url: str = strawberry.field(description="The provider's pay page.")


@strawberry.type(description="The payment was not started; nothing was written upstream.")
class PaymentRejected:
    code: PaymentRejection = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Human-readable reason, safe to show.")


StartPaymentResult = Annotated[
    PaymentStarted | PaymentRejected,
    strawberry.union("StartPaymentResult", description="Outcome of `startPayment`."),
]
