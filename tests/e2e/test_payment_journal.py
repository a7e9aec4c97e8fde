"""startPayment keeps its link in the journal before it answers (issue 17 item 11), end to
end over the topology sandbox: the provider and tenant are the ones serving the
application's portal, the same requestId answers the same transaction without a second
POST, a half-done payment (the provider failed) is completed by the retry, another
viewer cannot take the requestId, and the journal's link is what `payments` shows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway
from tests.helpers.citizen_links import learn_links
from tests.helpers.citizen_network import topology_gateway

LIST = """
query { me { applications(first: 50) { edges { node {
  id portal { id ars } payments { id transactionId status }
} } } } }
"""
START = """
mutation($input: StartPaymentInput!) { startPayment(input: $input) {
  __typename
  ... on PaymentStarted { redirectUrl payment { id transactionId status } }
  ... on PaymentRejected { code message }
} }
"""


class Network:
    def __init__(self, sandbox: Any, gateway: Gateway, settings: Settings | None = None) -> None:
        self.sandbox, self.gateway, self.settings = sandbox, gateway, settings
        self.providers = [u for u in sandbox.upstreams if u.startswith("payment_providers.")]

    def token(self, login: str) -> str:
        token: str = self.sandbox.demo_token(login)
        return token

    def posts(self, prefix: str = "POST /paymenttransaction") -> int:
        """Calls to every payment provider (default: creating transactions) since the last reset."""
        return sum(
            n
            for p in self.providers
            for k, n in self.sandbox.stats(p)["calls"].items()
            if k.startswith(prefix)
        )

    def applications(self, login: str) -> list[dict[str, Any]]:
        token = self.token(login)
        learn_links(self.gateway, token, ("bund", "nrw", "koeln"))
        body = self.gateway.query(LIST, token=token)
        return [e["node"] for e in body["data"]["me"]["applications"]["edges"]]

    def start_while_down(self, application_id: str, request_id: str) -> dict[str, Any]:
        """Erika's startPayment while every provider answers 503 to payment calls."""
        for provider in self.providers:
            self.sandbox.fault(provider, status=503, path_prefix="/paymenttransaction")
        try:
            return self.start("erika", application_id, request_id)
        finally:
            self.sandbox.clear_faults()

    def start(self, login: str, application_id: str, request_id: str) -> dict[str, Any]:
        payment = {
            "applicationId": application_id,
            "requestId": request_id,
            "items": [{"description": "Gebühr", "amountCents": 3700}],
            "totalCents": 3700,
        }
        return self.gateway.query(START, {"input": payment}, token=self.token(login))


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    loop = LoopThread()
    folder = tmp_path_factory.mktemp("payment-journal")
    try:
        with topology_gateway(4, loop, folder, upstream_retries=0) as (sandbox, gateway, settings):
            yield Network(sandbox, gateway, settings)
    finally:
        loop.close()


@pytest.fixture
def guarded(network: Network, tmp_path: Any) -> Iterator[Network]:
    """A second gateway (its own journal) on the same sandbox, its breakers on: one failure
    opens a provider's, and after 0.5 s one call goes through as the probe."""
    assert network.settings is not None
    settings = network.settings.override(
        data_dir=str(tmp_path), breaker_failures=1, breaker_reset=0.5
    )
    loop = LoopThread()
    server = UvicornServer(create_app(settings))
    loop.call(server.start())
    gateway = Gateway(server.url)
    try:
        yield Network(network.sandbox, gateway, settings)
    finally:
        gateway.http.close()
        loop.call(server.stop())
        loop.close()


def municipal(applications: list[dict[str, Any]]) -> dict[str, Any]:
    """An application in NRW (a payment tenant serves it)."""
    return next(a for a in applications if a["portal"]["ars"].startswith("05"))


def test_the_same_request_answers_the_same_transaction_with_one_post(network: Network) -> None:
    application = municipal(network.applications("erika"))
    network.sandbox.reset_stats()
    first = network.start("erika", application["id"], "e2e-same-1")["data"]["startPayment"]
    assert first["__typename"] == "PaymentStarted", first
    again = network.start("erika", application["id"], "e2e-same-1")["data"]["startPayment"]
    assert again["__typename"] == "PaymentStarted", again
    assert again["payment"]["transactionId"] == first["payment"]["transactionId"]
    assert network.posts() == 1
    shown = {p["transactionId"] for a in network.applications("erika") for p in a["payments"]}
    assert first["payment"]["transactionId"] in shown  # from the journal's link


def test_another_viewer_cannot_take_a_request_id(network: Network) -> None:
    mine = municipal(network.applications("erika"))
    first = network.start("erika", mine["id"], "e2e-taken-1")["data"]["startPayment"]
    assert first["__typename"] == "PaymentStarted", first
    theirs = municipal(network.applications("max"))
    network.sandbox.reset_stats()
    taken = network.start("max", theirs["id"], "e2e-taken-1")["data"]["startPayment"]
    assert taken["__typename"] == "PaymentRejected", taken
    assert taken["code"] == "PAYMENT_EXISTS"
    assert network.posts() == 0


def test_a_half_done_payment_is_completed_by_the_retry(network: Network) -> None:
    application = municipal(network.applications("erika"))
    failed = network.start_while_down(application["id"], "e2e-half-1")
    assert failed["data"] is None or failed["data"]["startPayment"] is None, failed
    extensions = failed["errors"][0]["extensions"]
    assert extensions == {"code": "UPSTREAM_UNAVAILABLE", "retryable": True}, failed
    network.sandbox.reset_stats()
    retried = network.start("erika", application["id"], "e2e-half-1")["data"]["startPayment"]
    assert retried["__typename"] == "PaymentStarted", retried
    assert network.posts() == 1


def test_the_provider_gets_booking_data_the_viewer_as_requestor_and_cents(
    network: Network,
) -> None:
    application = municipal(network.applications("erika"))
    item = {
        "description": "Sperrmüll, 3 Stück",
        "amountCents": 1000,
        "quantity": 3,
        "bookingData": [
            {"key": "Kassenzeichen", "value": "KZ-2026-17"},
            {"key": "Haushaltsstelle", "value": "1100.11100"},
        ],
    }
    payment = {
        "applicationId": application["id"],
        "requestId": "e2e-booking-1",
        "items": [item],
        "totalCents": 1000,
    }
    body = network.gateway.query(START, {"input": payment}, token=network.token("erika"))
    started = body["data"]["startPayment"]
    assert started["__typename"] == "PaymentStarted", body
    # What the provider was sent over HTTP, as its store keeps the PaymentRequest.
    store = network.sandbox.sandbox.cases
    sent = store.transaction(started["payment"]["transactionId"]).request
    [position] = sent["items"]
    assert position["bookingData"] == {
        "Haushaltsstelle": "1100.11100",
        "Kassenzeichen": "KZ-2026-17",
    }
    # 10,00 € for 3: the unit price is rounded to the cent, the totals stay exact.
    assert (position["singleNetAmount"], position["totalNetAmount"], sent["grosAmount"]) == (
        3.33,
        10.0,
        10.0,
    )
    # The payer is the signed-in viewer as BundID asserted her, never what the client says.
    assert sent["requestor"] == {
        "name": "Mustermann",
        "firstName": "Erika",
        "isOrganization": False,
        "address": {
            "street": "Heidestraße",
            "houseNumber": "17",
            "postalCode": "51147",
            "city": "Köln",
            "country": "DE",
        },
    }


def test_booking_data_beyond_the_bounds_is_bad_user_input_and_posts_nothing(
    network: Network,
) -> None:
    application = municipal(network.applications("erika"))
    twice = [{"key": "Kassenzeichen", "value": "a"}, {"key": "Kassenzeichen", "value": "b"}]
    payment = {
        "applicationId": application["id"],
        "requestId": "e2e-booking-2",
        "items": [{"description": "Gebühr", "amountCents": 500, "bookingData": twice}],
        "totalCents": 500,
    }
    network.sandbox.reset_stats()
    body = network.gateway.query(START, {"input": payment}, token=network.token("erika"))
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "items"}
    assert network.posts() == 0


def test_after_an_outage_the_probe_is_the_tenant_status_not_a_payment(guarded: Network) -> None:
    application = municipal(guarded.applications("erika"))
    failed = guarded.start_while_down(application["id"], "e2e-probe-1")
    assert failed["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE", failed
    time.sleep(0.6)  # the breaker's reset time (0.5 s) has passed: the next call is its probe
    guarded.sandbox.reset_stats()
    retried = guarded.start("erika", application["id"], "e2e-probe-1")["data"]["startPayment"]
    assert retried["__typename"] == "PaymentStarted", retried
    # GET /status/{originatorId}/{endPointId} went first, as the probe; then the one POST.
    assert (guarded.posts("GET /status/"), guarded.posts()) == (1, 1)
    again = guarded.start("erika", application["id"], "e2e-probe-2")["data"]["startPayment"]
    assert again["__typename"] == "PaymentStarted", again
    assert (guarded.posts("GET /status/"), guarded.posts()) == (1, 2)  # closed: no probe
