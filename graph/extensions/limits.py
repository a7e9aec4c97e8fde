"""Static limits on an operation: depth, aliases, directives, cost and document size.

The validation rule is built once per schema (strawberry#4635: a rule class built per
request defeats the ValidationCache) and refuses an operation whose measure
(graph/extensions/measure.py, fragments expanded) breaks a limit; `CharacterLimit`
refuses a document before it is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from graphql import GraphQLError, OperationDefinitionNode, ValidationContext, ValidationRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from graph.extensions.measure import Limits, Measure, Walker
from sources.base import ErrorCode


class LimitExceededError(ValidationAbortedError):
    """Raised inside validation; graphql-core keeps it as the last error and stops."""

    def __init__(self, code: ErrorCode, message: str, node: OperationDefinitionNode) -> None:
        super().__init__(message, node, extensions={"code": code})


def check_operation(
    context: ValidationContext,
    node: OperationDefinitionNode,
    limits: Limits,
    variables: Mapping[str, object] | None = None,
) -> None:
    """Raise LimitExceededError if the operation breaks a limit; `variables` if known."""
    root = context.schema.get_root_type(node.operation)
    if root is None:
        return
    walker = Walker(context, limits, variables)
    found = walker.selections(node.selection_set, root, sized=False)
    found += Measure(directives=len(node.directives or ()))
    for code, value, limit, what in (
        (ErrorCode.MAX_DEPTH_EXCEEDED, found.depth, limits.depth, "depth"),
        (ErrorCode.MAX_ALIASES_EXCEEDED, found.aliases, limits.aliases, "aliases"),
        (ErrorCode.MAX_DIRECTIVES_EXCEEDED, found.directives, limits.directives, "directives"),
        (ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE, found.cost, limits.cost, "estimated cost"),
        (ErrorCode.MAX_FIELD_REPEATS_EXCEEDED, found.repeats, limits.repeats, "repeated field"),
    ):
        if value > limit:
            # Abort validation: the remaining rules (the overlap check is
            # quadratic in repeated fields) would only burn CPU on a refusal.
            message = f"Operation {what} {value} exceeds the limit {limit}."
            raise LimitExceededError(code, message, node)


def operation_limits_rule(limits: Limits) -> type[ValidationRule]:
    """One validation rule class enforcing every static limit; build it once."""

    class OperationLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            check_operation(self.context, node, limits)

    return OperationLimits


# Python's int() refuses more than 4,300 digits (CVE-2020-10735). An Int literal that long
# failed inside validation with a ValueError: its text reached the client untyped, or it
# was masked as INTERNAL_SERVER_ERROR (issue 18 #8). No number of a GraphQL document is
# that long; a digit run in a string literal that long is refused too.
MAX_DIGITS = 4300
LONG_NUMBER = re.compile(rf"[0-9]{{{MAX_DIGITS + 1},}}")


class CharacterLimit(SchemaExtension):
    """Refuse a document longer than the limit, or with a number too long to read, before
    it is parsed."""

    def __init__(self, max_characters: int) -> None:
        self.max_characters = max_characters

    def on_operation(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and len(query) > self.max_characters:
            raise GraphQLError(
                f"The document has {len(query)} characters; the limit is {self.max_characters}.",
                extensions={"code": ErrorCode.MAX_CHARACTERS_EXCEEDED},
            )
        if query is not None and (number := LONG_NUMBER.search(query)):
            raise GraphQLError(
                f"The document holds a number of {len(number.group())} digits;"
                f" at most {MAX_DIGITS} can be read.",
                extensions={"code": ErrorCode.GRAPHQL_VALIDATION_FAILED},
            )
        yield
