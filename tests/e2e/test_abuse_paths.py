"""Issue 18 finding 4: raw ids never leave their path segment on the way upstream.

Before: a `service(id:)` global id whose raw part held `../` or `?` reached other paths on
the directory host, the sandbox's control endpoints included.
"""

from __future__ import annotations

import pytest

from graph.types.node import to_global_id
from tests.conftest import Gateway, Sandbox
from tests.helpers.abuse import figures, total_calls

SERVICE = "query($id: ID!) { service(id: $id) { id name } }"
HOSTILE = [
    "../../_sandbox/faults",
    "L100002.LB.1/../../../_sandbox/stats",
    "L100002.LB.1?x=",
    "L100002.LB.1#",
    "%2e%2e%2f_sandbox%2fstats",
    "L100002.LB.1\r\nX-Injected: 1",
    "",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_a_hostile_raw_service_id_makes_no_upstream_call(
    gateway: Gateway, clean_sandbox: Sandbox, raw: str
) -> None:
    with figures(f"service-id-{raw[:20]!r}") as found:
        body = gateway.query(SERVICE, {"id": to_global_id("Service", "koeln", raw)})
        found.note("upstream_calls", total_calls(clean_sandbox))
    assert body["data"]["service"] is None, body
    assert "errors" not in body, body
    assert total_calls(clean_sandbox) == 0


def test_a_well_formed_service_id_still_resolves(gateway: Gateway, clean_sandbox: Sandbox) -> None:
    page = gateway.query(
        '{ services(ars: "053150000000", first: 1) { edges { node { id name } } } }'
    )
    node = page["data"]["services"]["edges"][0]["node"]
    again = gateway.query(SERVICE, {"id": node["id"]})
    assert again["data"]["service"] == node
