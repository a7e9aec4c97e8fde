"""Issue 18 finding 9 over HTTP: redirects, payment return URLs, the federation SDL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from graph.app import create_app
from graph.settings import Settings
from graph.testing import LoopThread, UvicornServer
from tests.conftest import Gateway, Sandbox
from tests.e2e.test_citizen_data import DASHBOARD, START, apps


def test_a_foreign_host_never_gets_a_redirect_to_itself(gateway: Gateway) -> None:
    response = gateway.http.get(
        "/graphql/", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert "evil.example" not in response.headers.get("location", "")
    assert not 300 <= response.status_code < 400, response.headers


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "https://koeln.de.evil.example/",
        "javascript:alert(1)",
        "https://user@evil.example/",
    ],
)
def test_start_payment_refuses_a_return_url_outside_the_portal(
    gateway: Gateway, clean_sandbox: Sandbox, url: str
) -> None:
    erika = clean_sandbox.demo_token("erika")
    application = apps(gateway.query(DASHBOARD, token=erika))[0]
    data = {
        "applicationId": application["id"],
        "requestId": "redirect-check",
        "items": [{"description": "Gebühr", "amountCents": 3700}],
        "totalCents": 3700,
        "redirectUrl": url,
    }
    body = gateway.query(START, {"input": data}, token=erika)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "redirectUrl"}
    portal = application["portal"]["id"]
    assert not any(k.startswith("POST") for k in clean_sandbox.calls(portal, "payments"))


@pytest.fixture(scope="module")
def production(
    loop_thread: LoopThread, gateway_settings: Settings, sandbox: Sandbox
) -> Iterator[Gateway]:
    settings = replace(gateway_settings, profile="production", federation_token="router-secret")
    server = UvicornServer(create_app(settings))
    loop_thread.call(server.start())
    gw = Gateway(server.url)
    yield gw
    gw.http.close()
    loop_thread.call(server.stop())


def test_the_sdl_is_only_for_the_router_in_production(production: Gateway) -> None:
    anonymous = production.post("{ _service { sdl } }").json()
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN", anonymous
    assert "sdl" not in str(anonymous.get("data"))
    router = production.http.post(
        "/graphql",
        json={"query": "{ _service { sdl } }"},
        headers={"X-Federation-Token": "router-secret"},
    ).json()
    assert "type Service" in router["data"]["_service"]["sdl"]
