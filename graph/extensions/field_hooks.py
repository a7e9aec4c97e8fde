"""Per-field hooks, bound once to the fields that need them when the schema is built.

A Strawberry extension with a `resolve` hook makes graphql-core call it for every field
of every operation: a page of 500 messages is 5,000 plain fields, each through every
hook. The two hooks the gateway needs concern few fields, so they wrap those fields'
resolvers in the GraphQL schema instead, and plain fields keep their direct resolver:

- the audit (graph/extensions/audit.py): fields that may return a personal object;
- the outage count (graph/extensions/outages.py): fields with a resolver of their own,
  the only ones whose result can be awaitable (a plain field reads an attribute).

Plain fields themselves get a one-call resolver: Strawberry's goes through three calls
(`_get_basic_result`, `get_result`, the default resolver) to read the same attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema
from strawberry.resolvers import is_default_resolver
from strawberry.types.field import StrawberryField

from graph.extensions.at_hand import PLAIN_ATTRIBUTE
from graph.extensions.audit import audited, personal_fields
from graph.extensions.outages import counted

BOUND = "_portalgraph_hooks"  # marks a wrapped resolver, so binding twice wraps once
DEFINITION = "strawberry-definition"  # GraphQLField.extensions key of the Strawberry field
STRAWBERRY_PLAIN = "_get_basic_result"  # Strawberry's resolver of a field without one
DEFAULT_MARK = "_is_default"  # Strawberry's mark of a default resolver (tracing skips those)


def plain(name: str) -> Callable[..., Any]:
    """What Strawberry's resolver of a plain field returns, in one call."""

    def resolve_plain(root: Any, _info: Any) -> Any:
        return getattr(root, name)

    setattr(resolve_plain, DEFAULT_MARK, True)
    setattr(resolve_plain, BOUND, True)
    setattr(resolve_plain, PLAIN_ATTRIBUTE, name)  # a leaf: completed in the executor's loop
    return resolve_plain


def direct(field: GraphQLField, resolve: Callable[..., Any]) -> Callable[..., Any]:
    definition = field.extensions.get(DEFINITION)
    if (
        getattr(resolve, "__name__", "") == STRAWBERRY_PLAIN
        and isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and definition.default_resolver is getattr
    ):
        return plain(definition.python_name)
    return resolve


def bind_field_hooks(schema: GraphQLSchema) -> int:
    """Resolvers replaced or wrapped where needed; returns how many fields changed."""
    personal = personal_fields(schema)
    wrapped = 0
    for parent in schema.type_map.values():
        if not isinstance(parent, GraphQLObjectType) or parent.name.startswith("__"):
            continue
        for name, field in parent.fields.items():
            if field.resolve is None or getattr(field.resolve, BOUND, False):
                continue
            resolve = direct(field, field.resolve)
            hooked: Callable[..., Any] = resolve
            if (parent.name, name) in personal:
                hooked = audited(hooked)
            if not is_default_resolver(resolve):
                hooked = counted(hooked)
            if hooked is not field.resolve:
                setattr(hooked, DEFAULT_MARK, is_default_resolver(resolve))  # as it was
                setattr(hooked, BOUND, True)
                field.resolve = hooked
                wrapped += 1
    return wrapped
