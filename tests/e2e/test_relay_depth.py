"""A natural detail query through a Relay connection fits the depth limit; node(id:) too."""

from __future__ import annotations

from tests.conftest import Gateway, Sandbox

DETAIL = """{ me { applications(first: 3) { edges { node {
  id status service { name responsibleAuthority { name addresses { street city } } }
} } } } }"""
BY_NODE = """query($id: ID!) { node(id: $id) { id ... on Application {
  status service { responsibleAuthority { addresses { city } } }
} } }"""


def test_application_service_authority_addresses_passes(
    gateway: Gateway, clean_sandbox: Sandbox
) -> None:
    token = clean_sandbox.demo_token("erika")
    body = gateway.query(DETAIL, token=token)
    assert "errors" not in body, body["errors"]
    nodes = [e["node"] for e in body["data"]["me"]["applications"]["edges"]]
    assert any(n["service"] and n["service"]["responsibleAuthority"] for n in nodes)
    by_node = gateway.query(BY_NODE, {"id": nodes[0]["id"]}, token=token)
    assert "errors" not in by_node, by_node["errors"]
    assert by_node["data"]["node"]["id"] == nodes[0]["id"]
    assert by_node["data"]["node"]["status"] == nodes[0]["status"]
