"""XBezahldienste adapter: amounts to the cent, bookingData, requestor, the status check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from sources.base import (
    Capability,
    PaymentItemRecord,
    PaymentProvider,
    PaymentRequestRecord,
    PortalRecord,
    Tier,
    UpstreamRef,
)
from sources.errors import SourceAuthError, SourceUnavailableError
from sources.xbezahldienste import XBezahldienste, euros, payment_request
from tests.helpers.mock_upstream import mocked

PORTAL = PortalRecord("koeln", "Köln", Tier.MUNICIPAL, "053150000000", None, {})


def provider(handler: Any) -> XBezahldienste:
    upstream, bearer = mocked(
        handler, "https://epay.example", UpstreamRef("koeln", Capability.PAYMENTS)
    )
    return XBezahldienste(PORTAL, upstream, bearer)


@pytest.mark.parametrize(
    ("cents", "euro"),
    [(7000, 70.0), (1, 0.01), (Decimal(1000) / 3, 3.33), (Decimal(2000) / 3, 6.67)],
)
def test_amounts_are_euros_rounded_half_up_to_the_cent(cents: Any, euro: float) -> None:
    assert euros(cents) == euro


def test_the_request_carries_booking_data_and_exact_totals() -> None:
    item = PaymentItemRecord("1", "Sperrmüll", None, 3, 1000, (("Kassenzeichen", "KZ-1"),))
    body = payment_request(
        PaymentRequestRecord("r-1", "Sperrmuell", "Sperrmüll", "https://p.example/", (item,), 1000)
    )
    [sent] = body["items"]
    assert (sent["totalNetAmount"], sent["singleNetAmount"], body["grosAmount"]) == (
        10.0,
        3.33,
        10.0,
    )
    assert sent["bookingData"] == {"Kassenzeichen": "KZ-1"}
    assert "reference" not in sent  # optional members are left out, not sent as null
    assert "requestor" not in body


def test_there_is_no_look_up_by_request_id() -> None:
    assert not hasattr(XBezahldienste, "find_by_request")
    assert "find_by_request" not in dir(PaymentProvider)


@pytest.mark.parametrize(
    ("status", "error"), [(403, SourceAuthError), (503, SourceUnavailableError)]
)
async def test_the_tenant_status_is_the_health_check(status: int, error: type[Exception]) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        code = 200 if request.url.path.endswith("/ok") else status
        return httpx.Response(code, json={"type": "about:blank", "status": code, "title": "x"})

    payments = provider(answer)
    await payments.health("99085001012000", "ok")
    with pytest.raises(error):
        await payments.health("99085001012000", "053150000000")
    assert seen == ["/status/99085001012000/ok", "/status/99085001012000/053150000000"]
