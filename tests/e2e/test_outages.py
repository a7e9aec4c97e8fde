"""`me.outages` lists every upstream that failed in the request, wherever it was selected.

The field may come first in the document and the failing upstreams may sit deeper in the
tree (an application's payments): it still lists them, because it resolves only once every
other field of the operation has (graph/extensions/outages.py).
"""

from __future__ import annotations

from typing import Any

from sources.topology import load_topology
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


def failing(sandbox: Sandbox, prefix: str) -> set[str]:
    """Every upstream whose name starts with `prefix` answers 503; their gateway names."""
    names = {n for n in sandbox.handle.upstreams if n.startswith(prefix)}
    for name in names:
        sandbox.handle.fault(name, status=503)
    # The gateway names a provider by its id and a portal entry's inbox by the entry's id.
    return {n.split(".")[1] for n in names}


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
    paying = failing(clean_sandbox, "payment_providers.")
    boxes = failing(clean_sandbox, "portals.bund.inbox")
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
    # Each outage names its portal for display (issue 20), as the network file calls it;
    # a central service (a payment provider) has no portal name.
    names = {p.id: p.name for p in load_topology(clean_sandbox.toml_path).portals}
    assert all(o["portalName"] == names.get(o["portalId"]) for o in body["data"]["me"]["outages"])
    # Every payment field is there, empty where its upstream failed; nothing else is null.
    assert body["data"]["me"]["applications"]["edges"]
