"""Limits that need the variables: list arguments counted with their real length.

The validation rule (graph/extensions/limits.py) runs before variables are known and
cached per document, so a list passed as a variable counts as `cost_list_size` items
there. `_entities(representations: $r)` answers one object per representation: 2,000
of them made ~1,500 upstream calls (issue 18). Here, after validation and before
execution, the same walk runs again with the variables, and representations are capped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    ValidationContext,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from graph.extensions.limits import check_operation
from graph.extensions.measure import Limits
from sources.base import ErrorCode

ENTITIES_FIELD = "_entities"


def representation_count(
    operation: OperationDefinitionNode, variables: Mapping[str, object]
) -> int:
    """How many representations the root `_entities` fields of an operation ask for."""
    total = 0
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value != ENTITIES_FIELD:
            continue
        for argument in selection.arguments or ():
            value = argument.value
            if isinstance(value, VariableNode):
                bound = variables.get(value.name.value)
                total += len(bound) if isinstance(bound, list) else 0
            else:
                total += len(getattr(value, "values", ()))
    return total


class ListVariableLimits(SchemaExtension):
    """Refuse an operation whose list variables make it too expensive, before execution."""

    def __init__(self, limits: Limits, max_representations: int) -> None:
        self.limits = limits
        self.max_representations = max_representations

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        variables = context.variables or {}
        if document is not None and variables:
            self.check(context.schema._schema, document, variables)
        yield

    def check(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, object]
    ) -> None:
        validation = ValidationContext(schema, document, TypeInfo(schema), lambda _error: None)
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            count = representation_count(definition, variables)
            if count > self.max_representations:
                raise GraphQLError(
                    f"{count} representations exceed the limit {self.max_representations}.",
                    extensions={"code": ErrorCode.MAX_REPRESENTATIONS_EXCEEDED},
                )
            check_operation(validation, definition, self.limits, variables)
