"""Static limits: measured on the real schema and on a toy schema with true nested pages."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import pytest
import strawberry
from graphql import ASTValidationRule, get_introspection_query
from strawberry.extensions import AddValidationRules, ValidationCache
from strawberry.extensions.validation_cache import _get_validate_cache

from graph.extensions.limits import operation_limits_rule
from graph.extensions.measure import Limits, measure
from graph.schema import schema
from tests.e2e.test_citizen_data import DASHBOARD, INBOX
from tests.e2e.test_services import SEARCH


@strawberry.type
class Person:
    name: str

    @strawberry.field
    def friends(self, first: int | None = None) -> list[Person]:
        return [Person(name=f"{self.name}.{i}") for i in range(first or 2)]


@strawberry.type
class Query:
    @strawberry.field
    def people(self, first: int | None = None) -> list[Person]:
        return [Person(name=str(i)) for i in range(first or 2)]


RULES: list[type[ASTValidationRule]] = [operation_limits_rule(Limits())]
toy = strawberry.Schema(
    Query,
    extensions=[lambda: ValidationCache(maxsize=64), lambda: AddValidationRules(RULES)],
)


def errors(query: str) -> list[str]:
    result = asyncio.run(toy.execute(query))
    return [str((e.extensions or {}).get("code")) for e in result.errors or []]


def test_the_legitimate_queries_fit_the_defaults() -> None:
    limits = Limits()
    for query in (DASHBOARD, INBOX, SEARCH, get_introspection_query(descriptions=True)):
        found = measure(query, schema._schema)
        assert found.depth <= limits.depth
        assert found.cost <= limits.cost
    # Relay's edges/node do not count: the dashboard is me → applications → service → portal.
    assert measure(DASHBOARD, schema._schema).depth == 4


DETAIL = """{ me { applications(first: 5) { edges { node {
  status service { name responsibleAuthority { name addresses { street city } } }
} } } } }"""
BY_NODE = """query($id: ID!) { node(id: $id) { ... on Application {
  status service { responsibleAuthority { addresses { city } } }
} } }"""


def test_a_detail_query_through_a_connection_fits_the_depth_limit() -> None:
    # application → service → responsible authority → addresses, under me's connection.
    assert measure(DETAIL, schema._schema).depth == 5
    assert measure(BY_NODE, schema._schema).depth == 4
    limits = Limits()
    assert measure(DETAIL, schema._schema).depth <= limits.depth
    # Wrappers only count as free inside a connection: a toy `edges` field still counts.
    assert measure("{ people { friends { friends { name } } } }", toy._schema).depth == 3


def test_a_100_x_100_x_100_nested_page_is_refused_and_10_x_10_x_10_runs() -> None:
    deep = "{ people(first: 100) { friends(first: 100) { friends(first: 100) { name } } } }"
    assert errors(deep) == ["COST_ESTIMATED_TOO_EXPENSIVE"]
    assert (
        errors("{ people(first: 10) { friends(first: 10) { friends(first: 10) { name } } } }") == []
    )


def test_a_page_size_from_a_variable_counts_as_the_largest_page() -> None:
    found = measure(
        "query($n: Int) { services(first: $n) { edges { node { id } } } }", schema._schema
    )
    assert found.cost == 1 + 100 * 2  # the connection, then 100 edges and nodes


def test_aliases_hidden_in_fragments_count_once_per_spread() -> None:
    fragment = "fragment F on Query { a: people { name } b: people { name } }"
    assert errors("{ ...F ...F ...F ...F } " + fragment) == []
    nested = "fragment G on Query { ...F ...F ...F ...F } " + fragment
    assert errors("{ ...G ...G } " + nested) == ["MAX_ALIASES_EXCEEDED"]


def test_a_fragment_bomb_is_measured_in_linear_time() -> None:
    fragments = ["fragment F0 on Person { name }"] + [
        f"fragment F{i} on Person {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 40)
    ]
    started = time.perf_counter()
    found = measure("{ people { ...F39 } } " + " ".join(fragments), toy._schema)
    assert time.perf_counter() - started < 0.5
    assert found.repeats == 2**39


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            "{ people { friends { friends { friends { friends { friends { friends { name } } } } } } } }",
            "MAX_DEPTH_EXCEEDED",
        ),
        (
            "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }",
            "MAX_DEPTH_EXCEEDED",
        ),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }", "MAX_ALIASES_EXCEEDED"),
        ("{ __typename " + "@include(if: true)" * 51 + " }", "MAX_DIRECTIVES_EXCEEDED"),
        ("{ " + " ".join(["__typename"] * 11) + " }", "MAX_FIELD_REPEATS_EXCEEDED"),
    ],
)
def test_each_limit_refuses_one_past_it(query: str, code: str) -> None:
    assert errors(query)[0] == code


def test_the_rules_are_built_once_so_the_validation_cache_hits() -> None:
    cache = cast("Any", _get_validate_cache(64))  # an lru_cache; typed as a plain callable
    asyncio.run(toy.execute("{ people { name } }"))
    before = cache.cache_info().hits
    for _ in range(5):
        asyncio.run(toy.execute("{ people { name } }"))
    assert cache.cache_info().hits == before + 5
