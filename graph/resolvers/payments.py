"""startPayment: create an XBezahldienste transaction for one of the viewer's applications.

Order of writes, so a failure leaves nothing half-done for long: create the
transaction (keyed by the client's request id), then link it to the application.
XBezahldienste has no look-up by requestId: a reused request id is refused with
PAYMENT_EXISTS (the journal is to keep the transaction link before answering).
"""

from __future__ import annotations

import re

from graph.context import Info
from graph.errors import BadUserInputError, NotFoundError
from graph.resolvers.applications import load_application
from graph.types.node import from_global_id
from graph.types.payment import (
    Payment,
    PaymentRejected,
    PaymentRejection,
    PaymentStarted,
    StartPaymentInput,
)
from sources.base import PaymentItemRecord, PaymentLinkRecord, PaymentRecord, PaymentRequestRecord
from sources.errors import SourceRejectedError

REQUEST_ID = re.compile(r"^[\w-]{1,36}$")
PURPOSE = re.compile(r"^[\w\s-]{1,27}$")


def payment_request(
    data: StartPaymentInput, reference: str | None, fallback_url: str
) -> PaymentRequestRecord:
    if not REQUEST_ID.match(data.request_id):
        raise BadUserInputError("requestId", "must be 1 to 36 letters, digits, '-' or '_'")
    if not 1 <= len(data.items) <= 99:
        raise BadUserInputError("items", "must hold 1 to 99 positions")
    for item in data.items:
        if item.amount_cents <= 0 or item.quantity < 1 or not 0 < len(item.description) <= 250:
            raise BadUserInputError(
                "items", "each needs a description, amountCents > 0, quantity ≥ 1"
            )
    purpose = (
        data.purpose or re.sub(r"[^\w\s-]", " ", reference or "Gebühr")[:27].strip() or "Gebühr"
    )
    if not PURPOSE.match(purpose):
        raise BadUserInputError("purpose", "must be 1 to 27 letters, digits, spaces or '-'")
    redirect = data.redirect_url or fallback_url
    if not re.match(r"^https?://", redirect) or len(redirect) > 2082:
        raise BadUserInputError("redirectUrl", "must be an http(s) URL")
    return PaymentRequestRecord(
        request_id=data.request_id,
        purpose=purpose,
        description=", ".join(i.description for i in data.items)[:250],
        redirect_url=redirect,
        items=tuple(
            PaymentItemRecord(str(n), i.description, i.reference, i.quantity, i.amount_cents)
            for n, i in enumerate(data.items, start=1)
        ),
        total_cents=data.total_cents,
    )


async def start_payment(info: Info, data: StartPaymentInput) -> PaymentStarted | PaymentRejected:
    token = info.context.token()
    try:
        type_name, parts = from_global_id(data.application_id)
    except ValueError:
        type_name, parts = "", ()
    if type_name != "Application" or len(parts) != 2:
        raise BadUserInputError("applicationId", "is not the ID of an Application")
    application = await load_application(info, parts[0], parts[1])
    if application is None:
        raise NotFoundError("No such application in your account.")
    portal = application.portal
    request = payment_request(
        data, application.reference, portal.website or "https://example.invalid"
    )
    if sum(i.total_cents for i in request.items) != request.total_cents:
        return PaymentRejected(
            code=PaymentRejection.CALCULATION_ERROR,
            message="totalCents must equal the sum of the items' amountCents.",
        )
    provider = info.context.loaders.payment_provider(application.record.portal_id)
    area = info.context.loaders.account_area(application.record.portal_id)
    if provider is None or area is None:
        return PaymentRejected(
            code=PaymentRejection.NO_PAYMENT_PROVIDER,
            message="This portal takes no online payments.",
        )
    originator, end_point = application.record.leika_key or "antrag", portal.ars
    try:
        record: PaymentRecord = await provider.create(originator, end_point, request)
    except SourceRejectedError as exc:
        if exc.functional_code == "PAYMENT_EXISTS":
            return PaymentRejected(
                code=PaymentRejection.PAYMENT_EXISTS,
                message="A payment with this requestId exists already.",
            )
        code = {"CALCULATION_ERROR": PaymentRejection.CALCULATION_ERROR}.get(
            exc.functional_code or "", PaymentRejection.VALIDATION_ERROR
        )
        return PaymentRejected(code=code, message="The payment provider refused the request.")
    link = PaymentLinkRecord(record.transaction_id, originator, end_point, data.request_id)
    await area.link_payment(token, application.record.id, link)
    payment = Payment.from_record(record, portal, application.record.id)
    return PaymentStarted(payment=payment, redirect_url=record.redirect_url or "")
