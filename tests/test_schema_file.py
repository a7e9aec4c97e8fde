"""schema.graphql is the committed contract; it must equal what the code prints."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLSchema, build_schema, find_breaking_changes

from graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` and commit it"
    )


# A deliberate breaking change is marked here, by its find_breaking_changes description, in
# the same commit that regenerates schema.graphql; anything else fails the build.
ACCEPTED_BREAKING_CHANGES: frozenset[str] = frozenset()


def committed_schema(sdl: str) -> GraphQLSchema:
    # The federation SDL uses @link/@key without declaring them (the router knows them).
    return build_schema(sdl, assume_valid_sdl=True)


def unmarked_breaking_changes(committed: GraphQLSchema, code: GraphQLSchema) -> list[str]:
    changes = find_breaking_changes(committed, code)
    return [c.description for c in changes if c.description not in ACCEPTED_BREAKING_CHANGES]


def test_code_has_no_breaking_change_against_the_committed_schema() -> None:
    committed = committed_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert unmarked_breaking_changes(committed, schema._schema) == []


def test_the_check_fails_on_a_removed_field() -> None:
    # As if the committed file still had a field the code dropped.
    sdl = SCHEMA_FILE.read_text(encoding="utf-8").replace(
        "type PageInfo {", "type PageInfo {\n  droppedField: String\n", 1
    )
    assert unmarked_breaking_changes(committed_schema(sdl), schema._schema) == [
        "Field PageInfo.droppedField was removed."
    ]
