"""Plain leaf fields completed in the executor's loop answer exactly as graphql-core does."""

from __future__ import annotations

import asyncio
import enum
import json
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    parse,
)
from strawberry.extensions import SchemaExtension

from graph.extensions.acyclic import AcyclicExecutionContext
from graph.extensions.at_hand import AtHandExecutionContext, leaf_of
from graph.extensions.field_hooks import bind_field_hooks, plain
from graph.schema import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Odd:
    def __str__(self) -> str:
        return "odd"


class Broken:
    """A row whose attributes raise when read."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # graphql-core asks for `__await__`
            raise AttributeError(name)
        raise RuntimeError(f"cannot read {name}")


@strawberry.interface
class Named:
    name: str = strawberry.field()


@strawberry.type
class Tag(Named):  # an interface's type: Strawberry gives it an `is_type_of`
    weight: int = strawberry.field()


@strawberry.type
class Row:
    text: str = strawberry.field()
    maybe_text: str | None = strawberry.field()
    number: int = strawberry.field()
    maybe_number: int | None = strawberry.field()
    ratio: float = strawberry.field()
    flag: bool = strawberry.field()
    when: datetime = strawberry.field()
    day: date = strawberry.field()
    colour: Colour = strawberry.field()
    maybe_colour: Colour | None = strawberry.field()
    ident: strawberry.ID = strawberry.field()
    tag: Tag | None = strawberry.field()
    sure_tag: Tag = strawberry.field()

    @strawberry.field
    def computed(self) -> str:
        return self.text.upper()


def row(**changes: Any) -> Row:
    values: dict[str, Any] = {
        "text": "a",
        "maybe_text": None,
        "number": 7,
        "maybe_number": None,
        "ratio": 0.5,
        "flag": True,
        "when": datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
        "day": date(2026, 11, 29),
        "colour": Colour.RED,
        "maybe_colour": None,
        "ident": strawberry.ID("r1"),
        "tag": None,
        "sure_tag": Tag(name="t", weight=1),
    }
    return Row(**{**values, **changes})


ROWS: list[Any] = [
    row(),
    row(maybe_text="b", maybe_number=3, maybe_colour=Colour.BLUE),
    row(text=None),  # null on a non-null field: an error, the row's parent nulled
    row(maybe_number=2**40),  # out of Int's range: an error, the field nulled
    row(maybe_text=Odd()),  # not a str: String's coercion says str(value)
    row(maybe_text=b"raw"),  # a builtin String refuses: an error
    row(maybe_colour="green"),  # not the enum: an error
    row(number=True, ratio=1),  # bool for Int and int for Float: coerced as graphql-core does
    row(maybe_text=ValueError("boom")),  # an exception as the value: raised, located
    Broken(),  # reading raises: located on the field, the row nulled
    row(tag=Tag(name="u", weight=2)),
    row(tag=Odd()),  # not a Tag: is_type_of refuses, an error
    row(sure_tag=None),  # null on a non-null object field: the row nulled
]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:
        return ROWS

    @strawberry.field
    def strict(self) -> list[Row] | None:
        return ROWS[:3]


FIELDS = (
    "text maybeText number maybeNumber ratio flag when day colour maybeColour ident computed"
    " tag { name weight } sureTag { name }"
)
QUERY = f"{{ rows {{ {FIELDS} }} strict {{ {FIELDS} }} alias: rows {{ t: text, t2: text }} }}"


def run(context: type[Any]) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=context)
    bind_field_hooks(schema._schema)
    result = asyncio.run(schema.execute(QUERY))
    errors = [(e.message, e.path, e.locations) for e in result.errors or []]
    # As text: the response's bytes, key order included.
    return {"data": json.dumps(result.data), "errors": sorted(errors, key=repr)}


@pytest.mark.filterwarnings("ignore::UserWarning")  # Strawberry: federation directives
def test_the_loop_answers_as_graphql_core_with_values_and_errors() -> None:
    before, after = run(AcyclicExecutionContext), run(AtHandExecutionContext)
    assert after == before
    assert len(before["errors"]) >= 5  # the odd values did reach graphql-core's errors
    data = json.loads(before["data"])
    assert data["strict"] is None  # its third row's null text
    given, answered = ROWS[1], data["rows"][1]
    assert answered == {
        "text": given.text,
        "maybeText": given.maybe_text,
        "number": given.number,
        "maybeNumber": given.maybe_number,
        "ratio": given.ratio,
        "flag": given.flag,
        "when": given.when.isoformat(),
        "day": given.day.isoformat(),
        "colour": given.colour.name,
        "maybeColour": given.maybe_colour.name,
        "ident": given.ident,
        "computed": given.text.upper(),
        "tag": None,
        "sureTag": {"name": given.sure_tag.name},
    }
    assert data["rows"][10]["tag"] == {"name": "u", "weight": ROWS[10].tag.weight}


def test_only_plain_scalar_fields_take_the_loop() -> None:
    schema = build_schema()._schema
    message = schema.type_map["Message"]
    assert isinstance(message, GraphQLObjectType)
    assert leaf_of(message.fields["subject"]) is not None
    assert leaf_of(message.fields["receivedAt"]) is not None
    assert leaf_of(message.fields["portal"]) is None  # an object: its own fields are the leaves
    assert leaf_of(message.fields["application"]) is None  # a resolver of its own


class Shouting(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: str, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_field_hook_still_sees_every_plain_field() -> None:
    schema = strawberry.Schema(
        query=Query, execution_context_class=AtHandExecutionContext, extensions=[Shouting]
    )
    bind_field_hooks(schema._schema)
    result = asyncio.run(schema.execute("{ rows { text maybeText } }"))
    assert result.data is not None
    assert result.data["rows"][1] == {"text": "A", "maybeText": "B"}


def test_each_subscription_event_plans_its_own_fields() -> None:
    # graphql-core collects an event's root fields afresh: plans kept by the subscription's
    # executor would grow with every event for as long as the subscription runs.
    row_type = GraphQLObjectType(
        "Row", {"text": GraphQLField(GraphQLString, resolve=plain("text"))}
    )
    schema = GraphQLSchema(
        query=GraphQLObjectType("Query", {"unused": GraphQLField(GraphQLString)}),
        subscription=GraphQLObjectType(
            "Subscription", {"row": GraphQLField(row_type, resolve=lambda event, _info: event)}
        ),
    )
    executor = AtHandExecutionContext.build(schema, parse("subscription { row { text } }"))
    assert isinstance(executor, AtHandExecutionContext)
    for text in ("a", "b", "c"):
        event = executor.build_per_event_executor(SimpleNamespace(text=text))
        result = event.execute_operation(False)
        assert isinstance(result, ExecutionResult)
        assert result.data == {"row": {"text": text}}
        assert isinstance(event, AtHandExecutionContext)
        assert event._plans is not None
        assert len(event._plans) == 2  # the event's root fields and the row's
    assert executor._plans is None


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_plain_leaves_skip_graphql_cores_field_path(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = AtHandExecutionContext.execute_field

    def counting(self: AtHandExecutionContext, *args: Any) -> Any:
        seen.append(args[2][0].node.name.value)
        return original(self, *args)

    monkeypatch.setattr(AtHandExecutionContext, "execute_field", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=AtHandExecutionContext)
    bind_field_hooks(schema._schema)
    asyncio.run(schema.execute("{ rows { text flag when } }"))
    # Only the root field and the two rows whose `text` graphql-core must report (a null,
    # a read that raises; each nulls its row before its other fields).
    assert seen == ["rows", "text", "text"]
