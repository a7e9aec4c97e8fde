"""What an operation adds up to: depth, aliases, directives, estimated cost, repeats.

The walk expands fragments, so aliases or fields hidden behind fragment spreads count once
per spread (CVE-2026-47707); fragment results are memoised, which keeps a "fragment bomb"
(each fragment spreading the next one several times) linear instead of exponential.
graph/extensions/limits.py turns a measure over a limit into a refusal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    ValidationContext,
    VariableNode,
    get_named_type,
    is_composite_type,
    parse,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, get_nullable_type

# `ofType` only unwraps List/NonNull wrappers, so its nesting is bounded by the schema;
# counting it would refuse the standard introspection query GraphiQL sends.
DEPTH_NEUTRAL = frozenset({"ofType"})
# Relay's `edges { node { … } }` is the shape of one list, not two levels of the graph: a
# connection counts as one level, so the depth limit measures the domain (application →
# service → responsible authority → addresses) however the lists are wrapped.
RELAY_WRAPPERS = (("edges", "Connection"), ("node", "Edge"))
META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int = 6
    aliases: int = 15
    directives: int = 50
    cost: int = 5000
    repeats: int = 10
    default_list_size: int = 20  # a paginated field without `first` (the page size)
    max_list_size: int = 100  # `first` given as a variable: the largest page
    list_size: int = 10  # a plain list (fees, payments, status history): no `first` to read


@dataclass(frozen=True, slots=True)
class Measure:
    """What one selection set adds up to; `cost` is per single parent object."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: int = 0
    repeats: int = 0  # most copies of one response key in one selection set
    level: Mapping[str, int] = dataclasses.field(default_factory=dict, compare=False)

    def __add__(self, other: Measure) -> Measure:
        level = dict(self.level)
        for key, count in other.level.items():
            level[key] = level.get(key, 0) + count
        return Measure(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.directives + other.directives,
            self.cost + other.cost,
            max(self.repeats, other.repeats),
            level,
        )


class Walker:
    """Adds up one operation's selections, fragments expanded once per spread (memoised)."""

    def __init__(
        self,
        context: ValidationContext,
        limits: Limits,
        variables: Mapping[str, object] | None = None,
    ) -> None:
        self.schema = context.schema
        self.limits = limits
        # Known only at execution (graph/extensions/list_variables.py): a list argument
        # passed as a variable then counts with its real length.
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, Measure] = {}
        self.in_progress: set[str] = set()

    def selections(self, node: SelectionSetNode, parent: GraphQLNamedType, sized: bool) -> Measure:
        total = Measure()
        for selection in node.selections:
            directives = Measure(directives=len(selection.directives or ()))
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                total += directives + self.field(selection, parent, sized) + Measure(level={key: 1})
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                found = self.selections(selection.selection_set, inner or parent, sized)
                total += directives + found
            elif isinstance(selection, FragmentSpreadNode):
                total += directives + self.fragment(selection.name.value, sized)
        return total + Measure(repeats=max(total.level.values(), default=0))

    def fragment(self, name: str, sized: bool) -> Measure:
        # A cycle is reported by the standard NoFragmentCycles rule; here it just ends.
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return Measure()
        key = f"{name}:{sized}"
        if key not in self.memo:
            self.in_progress.add(name)
            parent = self.schema.get_type(definition.type_condition.name.value)
            inner = self.selections(definition.selection_set, parent, sized) if parent else None
            own = Measure(directives=len(definition.directives or ()))
            self.memo[key] = own + (inner or Measure())
            self.in_progress.discard(name)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, sized: bool) -> Measure:
        name = node.name.value
        own = Measure(aliases=1 if node.alias else 0)
        definition = META_FIELDS.get(name) or (
            getattr(parent, "fields", {}).get(name) if is_composite_type(parent) else None
        )
        if definition is None or node.selection_set is None:
            return own
        paged = "first" in definition.args or "last" in definition.args
        size, child_sized = self.list_size(node, definition.type, paged)
        if sized and not child_sized:
            size = 1  # the edges of a connection whose `first` was already counted
        named = get_named_type(definition.type)
        inner = self.selections(node.selection_set, named, child_sized)
        introspection = name.startswith("__") or named.name.startswith("__")
        object_cost = 0 if introspection else 1
        step = 0 if name in DEPTH_NEUTRAL or _relay_wrapper(name, parent) else 1
        return own + Measure(
            depth=inner.depth + step,
            aliases=inner.aliases,
            directives=inner.directives,
            # A list field returns `size` objects; a paged connection is one object
            # whose contents repeat `size` times.
            cost=(size if self._is_list(definition.type) else 1) * object_cost + size * inner.cost,
            repeats=inner.repeats,
        )

    def list_size(self, node: FieldNode, kind: GraphQLOutputType, paged: bool) -> tuple[int, bool]:
        if paged:
            argument = next(
                (a for a in node.arguments or () if a.name.value in ("first", "last")), None
            )
            if argument is None:
                return self.limits.default_list_size, True
            if isinstance(argument.value, IntValueNode):
                return max(int(argument.value.value), 0), True
            if isinstance(argument.value, VariableNode):
                return self.limits.max_list_size, True  # unknown until execution: assume the worst
            return self.limits.default_list_size, True
        if not self._is_list(kind):
            return 1, False
        # A list answer as long as a list argument (`_entities(representations:)`).
        given = (self._length(a.value) for a in node.arguments or ())
        return max([self.limits.list_size, *given]), False

    def _length(self, value: object) -> int:
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode):
            bound = self.variables.get(value.name.value)
            return len(bound) if isinstance(bound, list) else 0
        return 0

    @staticmethod
    def _is_list(kind: GraphQLOutputType) -> bool:
        return isinstance(get_nullable_type(kind), GraphQLList)


def _relay_wrapper(name: str, parent: GraphQLNamedType) -> bool:
    return any(name == f and parent.name.endswith(t) for f, t in RELAY_WRAPPERS)


def measure(document: str, schema: GraphQLSchema, limits: Limits | None = None) -> Measure:
    """The measure of every operation in `document` combined; for tests and docs/security.md."""
    parsed = parse(document)
    context = ValidationContext(schema, parsed, TypeInfo(schema), lambda _error: None)
    walker = Walker(context, limits or Limits())
    total = Measure()
    for definition in parsed.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            if root is not None:
                total += walker.selections(definition.selection_set, root, sized=False)
    return total
