"""startPayment: create an XBezahldienste transaction for one of the viewer's applications.

The provider and tenant are the ones serving the application's portal (the most specific
ARS prefix of `[[payment_providers.tenants]]`). XBezahldienste has no look-up by
requestId, so the journal keeps the link: stored (PENDING) before the provider call and
completed with the transaction id before the answer (graph/actions.py). The same request
again answers the same transaction; only a crash between the provider's answer and the
journal's write leaves a transaction the gateway cannot name (the provider then refuses
the reused requestId: PAYMENT_EXISTS). Telling the portal's account area is best effort.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from graph.actions import NoPaymentTenantError, PaymentRequestTakenError
from graph.context import Info
from graph.domain.errors import BadUserInputError, NotFoundError
from graph.domain.ids import id_parts
from graph.domain.payer import BookingDataError, booking_data, requestor_of
from graph.domain.redirects import redirect_allowed
from graph.resolvers.applications import load_application
from graph.types.payment import (
    Payment,
    PaymentRejected,
    PaymentRejection,
    PaymentStarted,
    StartPaymentInput,
)
from sources.base import PaymentItemRecord, PaymentRequestRecord, RequestorRecord
from sources.errors import SourceRejectedError

REQUEST_ID = re.compile(r"^[\w-]{1,36}$")
PURPOSE = re.compile(r"^[\w\s-]{1,27}$")


def payment_request(
    data: StartPaymentInput,
    reference: str | None,
    fallback_url: str,
    origins: Sequence[str] = (),
    payer: RequestorRecord | None = None,
) -> PaymentRequestRecord:
    """`origins`: where the provider may send the citizen back (the portal's, the apps');
    `payer`: the signed-in viewer as XBezahldienste's `requestor`."""
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
    if data.redirect_url is not None and not redirect_allowed(redirect, [fallback_url, *origins]):
        raise BadUserInputError("redirectUrl", "must lead back to the portal's own site")
    try:
        booked = [booking_data((b.key, b.value) for b in i.booking_data) for i in data.items]
    except BookingDataError as exc:
        raise BadUserInputError("items", f"bookingData: {exc}") from exc
    return PaymentRequestRecord(
        request_id=data.request_id,
        purpose=purpose,
        description=", ".join(i.description for i in data.items)[:250],
        redirect_url=redirect,
        items=tuple(
            PaymentItemRecord(
                str(n), i.description, i.reference, i.quantity, i.amount_cents, booking
            )
            for n, (i, booking) in enumerate(zip(data.items, booked, strict=True), start=1)
        ),
        total_cents=data.total_cents,
        requestor=payer,
    )


async def start_payment(info: Info, data: StartPaymentInput) -> PaymentStarted | PaymentRejected:
    token = info.context.token()
    portal_id, application_id = id_parts(
        data.application_id, "Application", argument="applicationId"
    )
    application = await load_application(info, portal_id, application_id)
    if application is None:
        raise NotFoundError("No such application in your account.")
    portal = application.portal
    request = payment_request(
        data,
        application.reference,
        portal.website or "https://example.invalid",
        info.context.settings.server.cors_origin_list,  # the gateway's own web apps
        requestor_of(info.context.viewer) if info.context.viewer else None,
    )
    if sum(i.total_cents for i in request.items) != request.total_cents:
        return PaymentRejected(
            code=PaymentRejection.CALCULATION_ERROR,
            message="totalCents must equal the sum of the items' amountCents.",
        )
    subject_key = info.context.citizen.subject_key()
    actions = info.context.actions
    try:
        if subject_key is None:
            raise NoPaymentTenantError(portal.ars)
        link, record = await actions.start_payment(
            subject_key, application.record.id, portal.ars, request
        )
    except NoPaymentTenantError:
        return PaymentRejected(
            code=PaymentRejection.NO_PAYMENT_PROVIDER,
            message="This portal takes no online payments.",
        )
    except PaymentRequestTakenError:
        return PaymentRejected(
            code=PaymentRejection.PAYMENT_EXISTS,
            message="A payment with this requestId exists already.",
        )
    except SourceRejectedError as exc:
        # XBezahldienste has no look-up by requestId: an existing payment is reported as such.
        if exc.functional_code == "PAYMENT_EXISTS":
            return PaymentRejected(
                code=PaymentRejection.PAYMENT_EXISTS,
                message="A payment with this requestId exists already.",
            )
        code = {"CALCULATION_ERROR": PaymentRejection.CALCULATION_ERROR}.get(
            exc.functional_code or "", PaymentRejection.VALIDATION_ERROR
        )
        return PaymentRejected(code=code, message="The payment provider refused the request.")
    if record is None:
        raise NotFoundError("The payment provider does not show this payment any more.")
    await actions.link_payment(portal_id, token, application.record.id, link)
    payment = Payment.from_record(record, portal, application.record.id)
    return PaymentStarted(payment=payment, redirect_url=record.redirect_url or "")
