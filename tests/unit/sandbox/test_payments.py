"""XBezahldienste: creating payments, errors, bookingData/requestor, status, the pay page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.sandbox.upstreams import Upstreams, bearer

BASE = "/paymenttransaction/99085001012000/053150000000"


@pytest.fixture(scope="module")
def net() -> Upstreams:
    return Upstreams()


def request(request_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requestId": request_id,
        "requestTimestamp": "2026-03-01T10:15:30.000Z",
        "currency": "EUR",
        "grosAmount": 102.00,
        "purpose": "Reisepass 32-1-2026-0815",
        "description": "Gebühr Reisepass",
        "redirectUrl": "https://portal.example/pay/return?step=2",
        "items": [
            {"id": "1", "description": "Reisepass", "totalNetAmount": 70.00, "totalTaxAmount": 0},
            {"id": "2", "description": "Express", "totalNetAmount": 32.00, "totalTaxAmount": 0},
        ],
    }
    return body | changes


async def token(net: Upstreams, portal: str = "koeln") -> dict[str, str]:
    return bearer(await net.service_token(f"urn:portalgraph:xbezahldienste:{portal}"))


async def test_create_duplicate_and_errors(net: Upstreams) -> None:
    headers = await token(net)
    async with net.client("koeln", "payments") as client:
        assert (await client.post(BASE, json=request("a-1"))).status_code == 401
        other = await token(net, "nrw")
        assert (await client.post(BASE, json=request("a-1"), headers=other)).status_code == 401
        created = await client.post(BASE, json=request("a-1"), headers=headers)
        assert created.status_code == 200, created.text
        info = created.json()["paymentInformation"]
        assert created.json()["paymentRequest"] == request("a-1")
        assert info["status"] == "INITIAL"
        assert info["transactionRedirectUrl"].endswith(f"/paypage/{info['transactionId']}")
        assert info["transactionUrl"].endswith(f"{BASE}/{info['transactionId']}")
        duplicate = await client.post(BASE, json=request("a-1"), headers=headers)
        assert duplicate.status_code == 409
        assert duplicate.json()["functionalCode"] == "PAYMENT_EXISTS"
        wrong_sum = await client.post(BASE, json=request("a-2", grosAmount=100), headers=headers)
        assert wrong_sum.status_code == 400
        assert wrong_sum.json()["functionalCode"] == "CALCULATION_ERROR"
        assert wrong_sum.headers["content-type"] == "application/problem+json"
        for bad in (
            request("a 3"),
            request("a-3", currency="USD"),
            request("a-3", purpose="x" * 28),
            request("a-3", items=[]),
            request("a-3", description="d" * 251),
            request("a-3", grosAmount=102.001),  # euros with at most two decimals
            request("a-3", requestor={"name": "Mustermann", "gender": "X"}),
            request("a-3", items=[{"id": "1", "totalNetAmount": 1, "bookingData": {"k": 1}}]),
        ):
            response = await client.post(BASE, json=bad, headers=headers)
            assert response.status_code == 400
            assert response.json()["functionalCode"] == "VALIDATION_ERROR"
        # No look-up by requestId in XBezahldienste: the path takes POST only.
        assert (await client.get(f"{BASE}?requestId=a-1", headers=headers)).status_code == 405
        read = await client.get(f"{BASE}/{info['transactionId']}", headers=headers)
        assert read.json() == created.json()
        elsewhere = "/paymenttransaction/other/053150000000/" + info["transactionId"]
        assert (await client.get(elsewhere, headers=headers)).status_code == 404


@pytest.mark.parametrize(
    ("action", "status"), [("pay", "PAYED"), ("cancel", "CANCELED"), ("fail", "FAILED")]
)
async def test_pay_page_transitions(net: Upstreams, action: str, status: str) -> None:
    headers = await token(net)
    async with net.client("koeln", "payments") as client:
        created = (await client.post(BASE, json=request(f"p-{action}"), headers=headers)).json()
        tx_id = created["paymentInformation"]["transactionId"]
        page = await client.get(f"/paypage/{tx_id}")
        assert page.status_code == 200
        assert "102,00" in page.text
        assert "Bezahlen" in page.text
        assert "Fehler simulieren" in page.text
        assert "http" not in page.text.split("<body>")[0]  # no external assets
        done = await client.post(f"/paypage/{tx_id}/{action}")
        assert done.status_code == 303
        assert done.headers["location"] == (
            f"https://portal.example/pay/return?step=2&transactionId={tx_id}"
        )
        assert (await client.post(f"/paypage/{tx_id}/pay")).status_code == 409
        assert (await client.get(f"/paypage/{tx_id}")).status_code == 409
        info = (await client.get(f"{BASE}/{tx_id}", headers=headers)).json()["paymentInformation"]
    assert info["status"] == status
    assert "transactionRedirectUrl" not in info  # left out once settled
    if status == "PAYED":
        assert info["paymentMethod"] == "CREDITCARD"
        assert info["transactionReference"]
        assert info["transactionTimestamp"]


async def test_seeded_transactions_are_served(net: Upstreams) -> None:
    citizen = await net.citizen_token("erika", "koeln")
    async with net.client("koeln", "accounts") as client:
        apps = (await client.get("/v1/me/applications", headers=bearer(citizen))).json()
    headers = await token(net)
    statuses = []
    async with net.client("koeln", "payments") as client:
        for app in apps["applications"]:
            for link in app["payments"]:
                path = f"/paymenttransaction/{link['originatorId']}/{link['endPointId']}/{link['transactionId']}"
                body = (await client.get(path, headers=headers)).json()
                assert body["paymentRequest"]["requestId"] == link["requestId"]
                statuses.append(body["paymentInformation"]["status"])
    assert sorted(statuses) == ["INITIAL", "PAYED"]


async def test_booking_data_requestor_and_the_tenant_status(net: Upstreams) -> None:
    headers = await token(net)
    item = {
        "id": "1",
        "description": "Reisepass",
        "quantity": 3,
        "totalNetAmount": 10.00,
        "singleNetAmount": 3.33,
        "totalTaxAmount": 0,
        "bookingData": {"Haushaltsstelle": "1100.11100", "Kassenzeichen": "KZ-4711"},
    }
    payer = {
        "name": "Mustermann",
        "firstName": "Erika",
        "gender": "F",
        "isOrganization": False,
        "address": {"street": "Domkloster", "houseNumber": "4", "postalCode": "50667",
                    "city": "Köln", "country": "DE"},
    }  # fmt: skip
    body = request("b-1", grosAmount=10.0, items=[item], requestor=payer)
    async with net.client("koeln", "payments") as client:
        created = await client.post(BASE, json=body, headers=headers)
        assert created.status_code == 200, created.text
        assert created.json()["paymentRequest"]["requestor"] == payer
        assert created.json()["paymentRequest"]["items"][0]["bookingData"] == item["bookingData"]
        status = await client.get("/status/99085001012000/053150000000", headers=headers)
        assert status.status_code == 200
        assert status.json()["status"] == 200
        assert (await client.get("/status/99085001012000/053150000000")).status_code == 401
