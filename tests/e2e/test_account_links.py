"""Account links end to end over the topology sandbox (docs/journal.md "Account links"):
a viewer with nothing costs no citizen upstream call; a submission through Köln asks
Köln's account area once and learns the link, after which the dashboard asks Köln's
account area and no other; `forgetFinishedApplications` drops the links again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.testing import LoopThread
from tests.conftest import Gateway
from tests.helpers.citizen_network import topology_gateway
from tests.helpers.submitting import submit

DASHBOARD = """
query { me {
  applications(first: 50) { edges { node { caseId portal { id } status payments { status } } } }
  inbox(first: 50) { totalCount }
  accounts { portal { id } }
} }
"""
FORGET = "mutation { forgetFinishedApplications { count } }"
CITIZEN = {"fitconnect", "payment_providers.", "portals."}  # upstreams of a viewer's data


class Network:
    def __init__(self, sandbox: Any, gateway: Gateway) -> None:
        self.sandbox, self.gateway = sandbox, gateway

    def dashboard(self, login: str) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
        """The viewer's dashboard and the citizen upstreams it asked."""
        self.sandbox.reset_stats()
        body = self.gateway.query(DASHBOARD, token=self.sandbox.demo_token(login))
        assert "errors" not in body, body
        asked = {
            name: dict(calls)
            for name, calls in self.sandbox.all_stats().items()
            if calls and any(name.startswith(prefix) for prefix in CITIZEN)
        }
        return body["data"]["me"], asked


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    loop = LoopThread()
    folder = tmp_path_factory.mktemp("account-links")
    try:
        with topology_gateway(4, loop, folder) as (sandbox, gateway, _):
            sandbox.callbacks_to(gateway.url)
            yield Network(sandbox, gateway)
    finally:
        loop.close()


POSTFACH_ONLY = {"portals.bund.inbox": {"GET /v1/messages": 1}}


def test_a_viewer_with_no_link_costs_only_the_postfach_every_citizen_has(
    network: Network,
) -> None:
    me, asked = network.dashboard("max")
    assert (me["applications"], me["accounts"]) == ({"edges": []}, [])
    # The BundID Postfach (`every_viewer = true`) is read without a link: Max's messages.
    assert me["inbox"]["totalCount"] > 0
    assert asked == POSTFACH_ONLY, asked


def test_a_submission_learns_the_portals_link_and_forgetting_drops_it(network: Network) -> None:
    token = network.sandbox.demo_token("lena")
    network.sandbox.reset_stats()
    sent = submit(network.gateway, token, "account-links-1")
    assert sent["__typename"] == "ApplicationSubmitted", sent
    assert sent["application"]["portal"]["id"] == "koeln"
    submitted = {n: c for n, c in network.sandbox.all_stats().items() if c}
    areas = {n for n in submitted if n.endswith(".accounts")}
    assert areas == {"portals.koeln.accounts"}, submitted  # asked once, no other
    assert submitted["portals.koeln.accounts"]["GET /v1/me"] == 1, submitted

    me, asked = network.dashboard("lena")
    assert sent["caseId"] in {e["node"]["caseId"] for e in me["applications"]["edges"]}
    assert [a["portal"]["id"] for a in me["accounts"]] == ["koeln"]
    accounts = {n for n in asked if n.endswith(".accounts")}
    assert accounts == {"portals.koeln.accounts"}, asked  # not Bund's or NRW's
    assert "fitconnect" in asked

    forgotten = network.gateway.query(FORGET, token=token)
    assert forgotten["data"]["forgetFinishedApplications"]["count"] >= 1, forgotten
    me, asked = network.dashboard("lena")
    assert me["accounts"] == []
    assert asked == POSTFACH_ONLY, "no link, no entry: only the Postfach every citizen has"
