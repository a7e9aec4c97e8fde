"""schema.graphql is the committed contract; it must equal what the code prints."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, find_breaking_changes

from graph.cli import main
from graph.schema import schema
from graph.version import SCHEMA_DESCRIPTION, SCHEMA_FINGERPRINT, SCHEMA_VERSION

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


def test_the_cli_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == SCHEMA_FILE.read_text(encoding="utf-8")


def test_the_schema_names_its_version_and_a_change_bumps_it() -> None:
    assert schema._schema.description == SCHEMA_DESCRIPTION
    assert f"Portalgraph schema {SCHEMA_VERSION}:" in SCHEMA_FILE.read_text(encoding="utf-8")
    body = schema.as_str().split('"""\n', 2)[2]
    fingerprint = hashlib.sha256(body.encode()).hexdigest()
    assert fingerprint == SCHEMA_FINGERPRINT, (
        "the schema changed: bump SCHEMA_VERSION in graph/version.py (minor for additions,"
        f" major for removals) and set SCHEMA_FINGERPRINT = {fingerprint!r}"
    )


# docs/frontend.md "Deprecation policy": the reason names what to use instead and the
# earliest removal date.
DEPRECATION_REASON = re.compile(r"Use .+ instead\. Removal on or after \d{4}-\d{2}-\d{2}\.")


def deprecation_problems(sdl_schema: GraphQLSchema) -> list[str]:
    problems = []
    for type_name, kind in sdl_schema.type_map.items():
        if type_name.startswith("__"):
            continue
        members = {**getattr(kind, "fields", {}), **getattr(kind, "values", {})}
        for name, member in members.items():
            reason = getattr(member, "deprecation_reason", None)
            if reason is not None and not DEPRECATION_REASON.fullmatch(reason):
                problems.append(f"{type_name}.{name}: {reason!r}")
            for arg_name, arg in getattr(member, "args", {}).items():
                reason = arg.deprecation_reason
                if reason is not None and not DEPRECATION_REASON.fullmatch(reason):
                    problems.append(f"{type_name}.{name}({arg_name}): {reason!r}")
    return problems


def test_every_deprecation_follows_the_policy() -> None:
    assert deprecation_problems(schema._schema) == []
    toy = build_schema(
        """type Query {
          a: Int @deprecated(reason: "Use b instead. Removal on or after 2027-06-01.")
          b: Int
          c: Int @deprecated(reason: "old")
          d(x: Int @deprecated): Int
        }"""
    )
    assert deprecation_problems(toy) == [
        "Query.c: 'old'",
        "Query.d(x): 'No longer supported'",
    ]
