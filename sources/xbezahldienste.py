"""XBezahldienste 1.0.0 payment transactions (reference/portalverbund.md §4).

POST a PaymentRequest (items with `bookingData`, the `requestor`), GET a transaction by
its id, and `GET /status/{originatorId}/{endPointId}` as the tenant's health check. There is
no look-up by requestId: whoever starts a payment must keep the transaction link. Amounts
go out as euros with two decimals, each rounded half up to the cent (the spec's amounts
are decimals ≤ 999999; Gover's reference client rounds to scale 2, HALF_UP), and
`grosAmount` is the sum of the items' net and tax amounts. No batch endpoint: one call per
transaction, bounded per upstream. Calls carry a service-to-service token. The tenant's
status is also the breaker's probe after an outage: a create waits for it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sources._auth import ON_UPSTREAM, ServiceHeaders
from sources._breaker import BreakerState, CircuitBreaker
from sources._http import Upstream
from sources._parse import MalformedError, aware, cents, items_of, obj, optional_str, text
from sources._paths import segment
from sources.base import (
    PaymentItemRecord,
    PaymentLinkRecord,
    PaymentRecord,
    PaymentRequestRecord,
    PaymentStatus,
    PortalRecord,
    RequestorRecord,
)
from sources.errors import SourceNotFoundError

MAX_CONCURRENT = 16
CENT = Decimal("0.01")


class XBezahldienste:
    def __init__(
        self, portal: PortalRecord, upstream: Upstream, bearer: ServiceHeaders = ON_UPSTREAM
    ) -> None:
        self.portal = portal
        self.upstream = upstream
        self.bearer = bearer
        self.limit = asyncio.Semaphore(MAX_CONCURRENT)

    async def transaction(self, link: PaymentLinkRecord) -> PaymentRecord | None:
        path = f"/paymenttransaction/{segment(self.upstream, link.originator_id)}/{segment(self.upstream, link.end_point_id)}/{segment(self.upstream, link.transaction_id)}"
        async with self.limit:
            headers = await self.bearer.headers()
            try:
                body = await self.upstream.send_json("GET", path, headers=headers)
            except SourceNotFoundError:
                return None
        return self._parsed(body, link.originator_id, link.end_point_id)

    async def create(
        self, originator_id: str, end_point_id: str, request: PaymentRequestRecord
    ) -> PaymentRecord:
        # After an outage the breaker lets one call through as its probe. Let that be the
        # tenant's status (a GET), never a PaymentRequest: a POST whose answer is lost may
        # still have created the transaction, and the retry would be PAYMENT_EXISTS.
        if not self._trusted():
            await self.health(originator_id, end_point_id)
        headers = await self.bearer.headers()
        body = await self.upstream.send_json(
            "POST",
            f"/paymenttransaction/{segment(self.upstream, originator_id)}/{segment(self.upstream, end_point_id)}",
            json=payment_request(request),
            headers=headers,
        )
        return self._parsed(body, originator_id, end_point_id)

    async def health(self, originator_id: str, end_point_id: str) -> None:
        """The tenant's status: returns when usable, raises a SourceError (403, 503, ...) if not."""
        headers = await self.bearer.headers()
        originator, end_point = (
            segment(self.upstream, originator_id),
            segment(self.upstream, end_point_id),
        )
        await self.upstream.send("GET", f"/status/{originator}/{end_point}", headers=headers)

    def _trusted(self) -> bool:
        """Whether the upstream's breaker (if it has one) is closed: no recent outage."""
        breaker = getattr(self.upstream, "breaker", None)
        return not isinstance(breaker, CircuitBreaker) or breaker.state is BreakerState.CLOSED

    def _parsed(self, body: Any, originator_id: str, end_point_id: str) -> PaymentRecord:
        try:
            return parse_transaction(body, self.portal.id, originator_id, end_point_id)
        except (MalformedError, KeyError, TypeError, ValueError) as exc:
            raise self.upstream.bad_response(f"unexpected paymenttransaction: {exc}") from exc


def euros(amount_cents: int | Decimal) -> float:
    """Cents as a euro amount with two decimals (a JSON number such as 33.33)."""
    value = (Decimal(amount_cents) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return float(value)


def payment_request(request: PaymentRequestRecord) -> dict[str, Any]:
    items = [
        {
            "id": item.id,
            "reference": item.reference,
            "description": item.description,
            "taxRate": 0,
            "quantity": item.quantity,
            "totalNetAmount": euros(item.total_cents),
            "totalTaxAmount": 0,
            # The unit price of 10,00 € for 3 is 3,33 €: rounded, while the total is exact.
            "singleNetAmount": euros(Decimal(item.total_cents) / item.quantity),
            "singleTaxAmount": 0,
            **({"bookingData": dict(item.booking_data)} if item.booking_data else {}),
        }
        for item in request.items
    ]
    body: dict[str, Any] = {
        "requestId": request.request_id,
        "requestTimestamp": datetime.now(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "currency": "EUR",
        "grosAmount": euros(sum(item.total_cents for item in request.items)),
        "purpose": request.purpose,
        "description": request.description,
        "redirectUrl": request.redirect_url,
        "items": [{k: v for k, v in item.items() if v is not None} for item in items],
    }
    if request.requestor is not None:
        body["requestor"] = requestor(request.requestor)
    return body


def requestor(record: RequestorRecord) -> dict[str, Any]:
    """The payer as XBezahldienste names it: `name` is the family name, `gender` M|F|D."""
    body: dict[str, Any] = {
        "name": record.name,
        "firstName": record.first_name,
        "gender": record.gender,
        "isOrganization": record.is_organization,
        "organizationName": record.organization_name,
    }
    if record.address is not None:
        address = record.address
        body["address"] = {
            "street": address.street,
            "houseNumber": address.house_number,
            "addressLine": list(address.address_lines) or None,
            "postalCode": address.postal_code,
            "city": address.city,
            "country": address.country,
        }
        body["address"] = {k: v for k, v in body["address"].items() if v is not None}
    return {k: v for k, v in body.items() if v is not None}


def parse_transaction(
    body: Any, portal_id: str, originator_id: str, end_point_id: str
) -> PaymentRecord:
    """A PaymentTransaction; `transactionUrl` is optional, the path ids come from the call."""
    transaction = obj(body)
    request = obj(transaction["paymentRequest"])
    info = obj(transaction["paymentInformation"])
    return PaymentRecord(
        portal_id=portal_id,
        transaction_id=text(info["transactionId"]),
        originator_id=originator_id,
        end_point_id=end_point_id,
        request_id=optional_str(request.get("requestId")),
        status=PaymentStatus(text(info["status"])),
        status_detail=optional_str(info.get("statusDetail")),
        amount_cents=cents(request["grosAmount"]),
        currency=text(request.get("currency", "EUR")),
        purpose=optional_str(request.get("purpose")),
        description=optional_str(request.get("description")),
        items=tuple(parse_item(i) for i in items_of(request.get("items", []))),
        method=optional_str(info.get("paymentMethod")),
        reference=optional_str(info.get("transactionReference")),
        redirect_url=optional_str(info.get("transactionRedirectUrl")),
        requested_at=aware(request.get("requestTimestamp")),
        paid_at=aware(info.get("transactionTimestamp")),
    )


def parse_item(raw: Any) -> PaymentItemRecord:
    item = obj(raw)
    quantity = item.get("quantity", 1)
    booking = obj(item.get("bookingData") or {})
    return PaymentItemRecord(
        id=text(str(item.get("id", ""))),
        description=text(item.get("description", "")),
        reference=optional_str(item.get("reference")),
        quantity=quantity if isinstance(quantity, int) and quantity > 0 else 1,
        total_cents=cents(item.get("totalNetAmount", 0)) + cents(item.get("totalTaxAmount", 0)),
        booking_data=tuple(sorted((text(k), text(v)) for k, v in booking.items())),
    )
