"""Only a document made of introspection fields counts as introspection-only."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from graph.http.introspection import introspection_only


@pytest.mark.parametrize(
    ("document", "only"),
    [
        (get_introspection_query(descriptions=True), True),
        ("{ __typename }", True),
        ('{ __type(name: "Query") { name } }', True),
        ("{ __schema { types { name } } me { subject } }", False),
        ("{ me { subject } }", False),
        ("query A { __typename } query B { portals { id } }", False),
        ("{ ...F } fragment F on Query { me { subject } }", False),
        ("{ __schema ", False),
        (None, False),
        ("{ __typename }" + " " * 30_000, False),
    ],
)
def test_introspection_only(document: str | None, only: bool) -> None:
    assert introspection_only(document) is only
