"""schema.graphql is the committed contract; it must equal what the code prints."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes

from graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` and commit it"
    )


def test_code_has_no_breaking_change_against_the_committed_schema() -> None:
    committed = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert find_breaking_changes(committed, schema._schema) == []
