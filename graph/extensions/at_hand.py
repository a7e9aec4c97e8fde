"""Values already at hand completed without graphql-core's per-field work (issue 21).

A page of 500 messages is ~5,000 scalar fields that only read an attribute and ~1,000
objects (edges, messages). graphql-core gives each scalar the same path as a resolver
that goes upstream: a `Path`, a `GraphQLResolveInfo` of 16 fields, the resolver call, two
awaitable checks and `complete_value`'s type dispatch (non-null, list, leaf), 44 % of the
page's CPU. Two shortcuts:

- a plain leaf, a field whose resolver is graph/extensions/field_hooks.py's attribute
  read with a scalar or enum type, is completed in the executor's loop: read the
  attribute, check it is a value of a known plain type, coerce it with the type's own
  `coerce_output_value` (String, ID and Boolean values of their own type need no call);
- an object value (non-null or not) whose type accepts it (`is_type_of`, if any) goes
  straight to its sub-fields, without the five type checks and two calls before.

Anything else takes graphql-core's path unchanged: other fields, field middleware (an
extension with a `resolve` hook), and every value the shortcuts do not vouch for (null
on a non-null field, an exception, a value of another type, a coercion that fails or
yields null), so errors, their paths and messages are graphql-core's own: that path reads
the attribute again (a plain data attribute, no side effect) and reports it.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import Executor
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.types.base_scalars import isoformat

from graph.extensions.acyclic import AcyclicExecutionContext

PLAIN_ATTRIBUTE = "_portalgraph_attribute"  # set by field_hooks.plain on its resolver
# Values of these types are never awaitable nor exceptions: their coercion is the answer.
PLAIN_VALUES = frozenset({str, int, float, bool, datetime.datetime, datetime.date})
# What a coercion may return for the fast path to keep it (not awaitable, not null).
PLAIN_OUTPUT = frozenset({str, int, float, bool})


# Coercions that answer a value of these exact types with a str, and cannot fail.
ALWAYS_STR: dict[Callable[[Any], Any], frozenset[type]] = {
    isoformat: frozenset({datetime.datetime, datetime.date}),  # Strawberry's DateTime, Date
}
# Coercions that answer a value of these exact types with the value itself.
AS_IS: dict[Callable[[Any], Any], frozenset[type]] = {
    GraphQLString.coerce_output_value: frozenset({str}),
    GraphQLID.coerce_output_value: frozenset({str}),
    GraphQLBoolean.coerce_output_value: frozenset({bool}),
}


class Leaf(NamedTuple):
    attribute: str
    as_is: frozenset[type]  # types whose values need no coercion (no call)
    sure: frozenset[type]  # types whose values' coercion is a str, without fail
    coerce: Callable[[Any], Any]
    nullable: bool


Step = tuple[str, FieldDetailsList, Leaf | None]


def leaf_of(field: GraphQLField | None) -> Leaf | None:
    """How to complete `field` in the loop, or None: graphql-core completes it."""
    attribute = getattr(field.resolve, PLAIN_ATTRIBUTE, None) if field else None
    if field is None or attribute is None or field.args:
        return None
    named = get_nullable_type(field.type)
    if not is_leaf_type(named):
        return None
    coerce = named.coerce_output_value
    none: frozenset[type] = frozenset()
    as_is, sure = AS_IS.get(coerce, none), ALWAYS_STR.get(coerce, none)
    return Leaf(attribute, as_is, sure, coerce, not is_non_null_type(field.type))


PLAIN_ENUMS: set[type] = set()  # the schema's enum classes, as met: few
SLOW = object()  # complete_plain's answer where graphql-core's path must complete the field


def plain_enum(kind: type) -> bool:
    if kind in PLAIN_ENUMS:
        return True
    if issubclass(kind, enum.Enum) and not hasattr(kind, "__await__"):
        PLAIN_ENUMS.add(kind)
        return True
    return False


class AtHandExecutionContext(AcyclicExecutionContext):
    # Per executor: grouped field set's id -> (the set, kept so its id stays its own; its
    # parent type; the plan). Made on first use: a subscription's own executor runs no
    # fields, and each of its events gets its own (graphql-core collects an event's root
    # fields afresh, so shared plans would grow with every event).
    _plans: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, list[Step]]] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry always passes a manager; it wraps resolvers only when an extension
        # of the operation has a `resolve` hook (graphql-core marks that by this list;
        # should a release rename it, every field takes graphql-core's path).
        manager = self.middleware_manager
        hooks = getattr(manager, "_middleware_resolvers", True)
        self._field_hooks = manager is not None and hooks is not None

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        if isinstance(executor, AtHandExecutionContext):  # a copy of this one: always
            executor._plans = None
        return executor

    def plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Step]:
        plans = self._plans
        if plans is None:
            plans = self._plans = {}
        found = plans.get(id(fields))
        if found is not None and found[1] is parent_type:
            return found[2]
        steps: list[Step] = []
        for response_name, details in fields.items():
            field = parent_type.fields.get(details[0].node.name.value)
            steps.append((response_name, details, leaf_of(field)))
        plans[id(fields)] = (fields, parent_type, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if self._field_hooks:  # a field hook wants to see every field
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # graphql-core's loop (Executor.execute_fields), with the plain leaves done inline.
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, leaf in self.plan(parent_type, grouped_field_set):
                if leaf is not None:
                    try:
                        value = getattr(source_value, leaf.attribute)
                    except Exception:  # graphql-core's path meets it again, located
                        value = SLOW
                    kind = type(value)
                    if kind in leaf.as_is or (value is None and leaf.nullable):
                        results[response_name] = value
                        continue
                    if kind in leaf.sure:
                        results[response_name] = leaf.coerce(value)
                        continue
                    value = complete_plain(leaf, value)
                    if value is not SLOW:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return gathered(results, awaitable_fields)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if result is not None and result is not Undefined and not isinstance(result, Exception):
            inner = return_type.of_type if type(return_type) is GraphQLNonNull else return_type
            if type(inner) is GraphQLObjectType:
                accepts = inner.is_type_of
                # Anything but a plain True (False, awaitable): graphql-core asks again.
                if accepts is None or accepts(result, info) is True:
                    return self.collect_and_execute_subfields(
                        inner, field_details_list, path, result, position_context
                    )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )


def complete_plain(leaf: Leaf, value: Any) -> Any:
    """`value` completed, or SLOW where graphql-core must decide."""
    if value is None:
        return None if leaf.nullable else SLOW
    kind = type(value)
    if kind not in PLAIN_VALUES and not plain_enum(kind):  # SLOW itself included
        return SLOW
    try:
        coerced = leaf.coerce(value)
    except Exception:  # graphql-core's path meets it again and reports it, located
        return SLOW
    return coerced if type(coerced) in PLAIN_OUTPUT else SLOW


async def gathered(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    """graphql-core's `get_results`: the awaitable fields' values, in parallel."""
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited: list[Any] = await gather_with_cancel(*(results[f] for f in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results
