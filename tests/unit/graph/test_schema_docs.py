"""Every type, field, argument and enum value of the graph is described for its readers.

Frontend teams read the schema in GraphiQL and in generated code; an undocumented field is a
question in a support ticket. Names the federation spec defines (`_service`, `_Entity`,
`link__Purpose`, ...) are not ours to describe.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLString,
)

from graph.schema import schema

SPEC_PREFIXES = ("__", "_", "link__", "federation__")


def ours(name: str) -> bool:
    return not name.startswith(SPEC_PREFIXES)


def undocumented(named: GraphQLNamedType) -> Iterator[str]:
    """Coordinates (`Type.field(arg:)`) in one type that lack a description."""
    if not (named.description or "").strip():
        yield named.name
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        for field_name, field in named.fields.items():
            if not ours(field_name):
                continue
            if not (field.description or "").strip():
                yield f"{named.name}.{field_name}"
            for arg_name, arg in getattr(field, "args", {}).items():
                if not (arg.description or "").strip():
                    yield f"{named.name}.{field_name}({arg_name}:)"
    if isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            if not (value.description or "").strip():
                yield f"{named.name}.{value_name}"


def schema_gaps() -> list[str]:
    types = schema._schema.type_map.values()
    return [gap for named in types if ours(named.name) for gap in undocumented(named)]


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    gaps = schema_gaps()
    assert not gaps, "describe these in plain English (German term in brackets): " + ", ".join(gaps)


def test_the_check_finds_an_undocumented_field() -> None:
    # The walk must see fields, arguments and enum values, not only type names.
    bare_field = GraphQLField(GraphQLString, args={"a": GraphQLArgument(GraphQLString)})
    probe = GraphQLObjectType("Probe", {"bare": bare_field}, description="A probe.")
    assert list(undocumented(probe)) == ["Probe.bare", "Probe.bare(a:)"]
    bare = GraphQLEnumType("Bare", {"X": None}, description="An enum.")
    assert list(undocumented(bare)) == ["Bare.X"]


def test_descriptions_read_as_sentences() -> None:
    # A capital letter or a code span first: no "todo", no copy of the field name.
    types = schema._schema.type_map.values()
    for named in types:
        if ours(named.name) and named.description:
            first = named.description.strip()[0]
            assert first.isupper() or first in "`'\"0123456789", named.name
