"""The shipped Graphcache keys cover every object type without an `id` (no warnings)."""

from __future__ import annotations

import re

from graphql import GraphQLObjectType

from graph.schema import schema
from tests.helpers.nodejs import ROOT

KEYS = ROOT / "examples" / "cache" / "graphcache.mjs"
ROOTS = {"Query", "Mutation", "Subscription"}


def test_every_object_type_without_an_id_has_a_graphcache_key() -> None:
    text = KEYS.read_text(encoding="utf-8")
    block = text.split("export const keys = {", 1)[1].split("\n};", 1)[0]
    declared = set(re.findall(r"^\s+(\w+):", block, flags=re.MULTILINE))
    needing = {
        name
        for name, kind in schema._schema.type_map.items()
        if isinstance(kind, GraphQLObjectType)
        and not name.startswith("__")
        and name not in ROOTS
        and "id" not in kind.fields
    }
    assert needing - declared == set(), "add these to examples/cache/graphcache.mjs"
    assert declared - needing <= {"Me", "Attachment"}, "keys for types that no longer exist"
