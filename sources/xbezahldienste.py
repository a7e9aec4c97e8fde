"""XBezahldienste payment transactions (reference/portalverbund.md §4).

No batch endpoint: one call per transaction, bounded per upstream. Calls carry
a service-to-service token (client credentials).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sources._auth import ServiceBearer
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
)
from sources.errors import SourceNotFoundError

MAX_CONCURRENT = 16


class XBezahldienste:
    def __init__(self, portal: PortalRecord, upstream: Upstream, bearer: ServiceBearer) -> None:
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
        return self._parsed(body)

    async def create(
        self, originator_id: str, end_point_id: str, request: PaymentRequestRecord
    ) -> PaymentRecord:
        headers = await self.bearer.headers()
        body = await self.upstream.send_json(
            "POST",
            f"/paymenttransaction/{segment(self.upstream, originator_id)}/{segment(self.upstream, end_point_id)}",
            json=payment_request(request),
            headers=headers,
        )
        return self._parsed(body)

    async def find_by_request(
        self, originator_id: str, end_point_id: str, request_id: str
    ) -> PaymentRecord | None:
        headers = await self.bearer.headers()
        try:
            body = await self.upstream.send_json(
                "GET",
                f"/paymenttransaction/{segment(self.upstream, originator_id)}/{segment(self.upstream, end_point_id)}",
                params={"requestId": request_id},
                headers=headers,
            )
        except SourceNotFoundError:
            return None
        return self._parsed(body)

    def _parsed(self, body: Any) -> PaymentRecord:
        try:
            return parse_transaction(body, self.portal.id)
        except (MalformedError, KeyError, TypeError, ValueError) as exc:
            raise self.upstream.bad_response(f"unexpected paymenttransaction: {exc}") from exc


def payment_request(request: PaymentRequestRecord) -> dict[str, Any]:
    return {
        "requestId": request.request_id,
        "requestTimestamp": datetime.now(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "currency": "EUR",
        "grosAmount": request.total_cents / 100,
        "purpose": request.purpose,
        "description": request.description,
        "redirectUrl": request.redirect_url,
        "items": [
            {
                "id": item.id,
                "reference": item.reference,
                "description": item.description,
                "taxRate": 0,
                "quantity": item.quantity,
                "totalNetAmount": item.total_cents / 100,
                "totalTaxAmount": 0,
                "singleNetAmount": item.total_cents / item.quantity / 100,
                "singleTaxAmount": 0,
            }
            for item in request.items
        ],
    }


def parse_transaction(body: Any, portal_id: str) -> PaymentRecord:
    transaction = obj(body)
    request = obj(transaction["paymentRequest"])
    info = obj(transaction["paymentInformation"])
    status = PaymentStatus(text(info["status"]))
    url = text(info["transactionUrl"]).rstrip("/").split("/")
    return PaymentRecord(
        portal_id=portal_id,
        transaction_id=text(info["transactionId"]),
        originator_id=url[-3] if len(url) >= 3 else "",
        end_point_id=url[-2] if len(url) >= 2 else "",
        request_id=optional_str(request.get("requestId")),
        status=status,
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
    return PaymentItemRecord(
        id=text(str(item.get("id", ""))),
        description=text(item.get("description", "")),
        reference=optional_str(item.get("reference")),
        quantity=quantity if isinstance(quantity, int) and quantity > 0 else 1,
        total_cents=cents(item.get("totalNetAmount", 0)) + cents(item.get("totalTaxAmount", 0)),
    )
