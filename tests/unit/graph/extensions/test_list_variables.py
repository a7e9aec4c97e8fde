"""List arguments passed as variables count with their real length (issue 18, finding 1)."""

from __future__ import annotations

import pytest
from graphql import GraphQLError, OperationDefinitionNode, parse

from graph.extensions.limits import LimitExceededError
from graph.extensions.list_variables import ListVariableLimits, representation_count
from graph.extensions.measure import Limits
from graph.schema import schema

QUERY = """
query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Service { name leikaKey } }
}
"""


def operation(query: str) -> OperationDefinitionNode:
    definition = parse(query).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def test_representations_are_counted_from_variables_and_literals() -> None:
    assert representation_count(operation(QUERY), {"r": [{}] * 7}) == 7
    literal = "{ _entities(representations: [{}, {}]) { __typename } }"
    assert representation_count(operation(literal), {}) == 2


def test_a_long_list_variable_makes_the_operation_too_expensive() -> None:
    limits = ListVariableLimits(Limits(cost=5000), max_representations=100_000)
    document = parse(QUERY)
    limits.check(schema._schema, document, {"r": [{}] * 3})  # three items: fine
    with pytest.raises(LimitExceededError) as refused:
        limits.check(schema._schema, document, {"r": [{}] * 6000})
    assert refused.value.extensions == {"code": "COST_ESTIMATED_TOO_EXPENSIVE"}


def test_representations_over_the_cap_are_refused() -> None:
    limits = ListVariableLimits(Limits(), max_representations=100)
    with pytest.raises(GraphQLError) as refused:
        limits.check(schema._schema, parse(QUERY), {"r": [{}] * 101})
    assert refused.value.extensions == {"code": "MAX_REPRESENTATIONS_EXCEEDED"}
