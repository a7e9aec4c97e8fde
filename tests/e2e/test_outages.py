"""`me.outages` lists every upstream that failed in the request, wherever it was selected.

The field may come first in the document and the failing upstreams may sit deeper in the
tree (an application's payments): it still lists them, because it resolves only once every
other field of the operation has (graph/extensions/outages.py).
"""

from __future__ import annotations

from typing import Any

from sources.network import load_network
from tests.conftest import Gateway, Sandbox

OUTAGES_FIRST = """
query OutagesFirst {
  me {
    outages { portalId portalName capability code message }
    unreadMessageCount
    applications(first: 50) { edges { node {
      id
      payments { id status }
      statusHistory { status }
    } } }
  }
}
"""


def failing(sandbox: Sandbox, capability: str) -> set[str]:
    portals = {p for (p, c) in sandbox.network.urls if c == capability}
    for portal in portals:
        sandbox.fault(portal, capability, status=503)
    return portals


def outages(body: dict[str, Any]) -> set[tuple[str, str, str]]:
    listed = body["data"]["me"]["outages"]
    return {(o["portalId"], o["capability"], o["code"]) for o in listed}


def test_outages_selected_first_list_failures_of_nested_fields(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = clean_sandbox.demo_token("erika")
    healthy = gateway.query(OUTAGES_FIRST, token=token)
    assert healthy["data"]["me"]["outages"] == []
    assert any(e["node"]["payments"] for e in healthy["data"]["me"]["applications"]["edges"]), (
        "the demo citizen has payments to fail"
    )
    paying = failing(clean_sandbox, "payments")
    boxes = failing(clean_sandbox, "inbox")
    body = gateway.query(OUTAGES_FIRST, token=token)
    listed = outages(body)
    assert {(p, "PAYMENTS", "UPSTREAM_UNAVAILABLE") for p in paying} & listed
    assert {(p, "INBOX", "UPSTREAM_UNAVAILABLE") for p in boxes} <= listed
    # The same failures reach the client as errors, once each.
    errors = {
        (e["extensions"]["portalId"], e["extensions"]["capability"], e["extensions"]["code"])
        for e in body["errors"]
    }
    assert listed == errors
    message = body["data"]["me"]["outages"][0]["message"]
    assert "its data is missing" in message
    # Each outage names its portal for display (issue 20), as the network file calls it.
    names = {p.id: p.name for p in load_network(clean_sandbox.toml_path).portals}
    assert all(o["portalName"] == names[o["portalId"]] for o in body["data"]["me"]["outages"])
    # Every payment field is there, empty where its upstream failed; nothing else is null.
    assert body["data"]["me"]["applications"]["edges"]
