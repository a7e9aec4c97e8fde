"""Apollo Federation v2: the graph as a subgraph a national supergraph can compose."""

from __future__ import annotations

from typing import Any

from graphql import build_schema

from tests.conftest import Gateway, Sandbox
from tests.helpers.nodejs import node_json

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Service { leikaKey ars name originPortal { id } }
    ... on Portal { id name tier }
  }
}
"""
KOELN = "053150000000"


def entities(gateway: Gateway, *representations: dict[str, Any]) -> dict[str, Any]:
    return gateway.query(ENTITIES, {"representations": list(representations)})


def test_service_sdl_declares_the_entity_keys(gateway: Gateway) -> None:
    sdl = gateway.query("{ _service { sdl } }")["data"]["_service"]["sdl"]
    assert 'specs.apollo.dev/federation/v2.11", import: ["@key"]' in sdl
    assert 'type Service implements Node @key(fields: "leikaKey ars")' in sdl
    assert 'type Portal @key(fields: "id")' in sdl
    # The SDL is the public graph, so it must build as a plain schema too.
    assert build_schema(sdl, assume_valid_sdl=True).get_type("Service") is not None


def test_a_portal_resolves_by_id(gateway: Gateway) -> None:
    body = entities(
        gateway, {"__typename": "Portal", "id": "nrw"}, {"__typename": "Portal", "id": "x"}
    )
    assert "errors" not in body
    first, missing = body["data"]["_entities"]
    assert first["__typename"] == "Portal"
    assert (first["id"], first["tier"]) == ("nrw", "STATE")
    assert missing is None


def test_a_service_resolves_by_leika_key_and_region(gateway: Gateway, sandbox: Sandbox) -> None:
    page = gateway.query(
        "query($ars: String) { services(ars: $ars, first: 50) { edges { node { leikaKey ars originPortal { id } } } } }",
        {"ars": KOELN},
    )
    nodes = [edge["node"] for edge in page["data"]["services"]["edges"]]
    local = next(n for n in nodes if n["originPortal"]["id"] != "bund" and n["leikaKey"])
    federal = next(n for n in nodes if n["originPortal"]["id"] == "bund" and n["leikaKey"])
    body = entities(
        gateway,
        # The key as the gateway hands it out...
        {"__typename": "Service", "leikaKey": local["leikaKey"], "ars": local["ars"]},
        # ...and a region below the federal area: the description in force there.
        {"__typename": "Service", "leikaKey": federal["leikaKey"], "ars": KOELN},
    )
    assert "errors" not in body, body
    by_key, in_region = body["data"]["_entities"]
    assert (by_key["leikaKey"], by_key["ars"]) == (local["leikaKey"], local["ars"])
    assert by_key["originPortal"] == local["originPortal"]
    assert in_region["leikaKey"] == federal["leikaKey"]
    assert in_region["originPortal"] == {"id": "bund"}


def test_a_bad_reference_fails_only_its_own_item(gateway: Gateway) -> None:
    body = entities(
        gateway,
        {"__typename": "Service", "leikaKey": "99000000000000", "ars": "not-an-ars"},
        {"__typename": "Portal", "id": "bund"},
    )
    bad, good = body["data"]["_entities"]
    assert bad is None
    assert good["id"] == "bund"
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["_entities", 0]


def test_a_reference_that_is_no_object_is_bad_user_input(gateway: Gateway) -> None:
    # `_Any` coerces any JSON value; a string or number reached `.get` and answered
    # INTERNAL_SERVER_ERROR (with a traceback in the log) for a client's mistake.
    body = gateway.query(
        ENTITIES, {"representations": ["Service", 7, {"__typename": "Portal", "id": "bund"}]}
    )
    text, number, good = body["data"]["_entities"]
    assert text is None
    assert number is None
    assert good["id"] == "bund"
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"] * 2
    assert [e["path"] for e in body["errors"]] == [["_entities", 0], ["_entities", 1]]


def test_apollo_composition_composes_the_subgraph(gateway: Gateway) -> None:
    result = node_json("compose.mjs", gateway.url + "/graphql")
    assert result["errors"] == []
    assert sorted(result["entities"]) == ["Portal:id", "Service:leikaKey ars"]
