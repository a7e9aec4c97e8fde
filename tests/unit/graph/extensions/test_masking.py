"""Masking masks what Strawberry's MaskErrors masks, without its Protocol test per result."""

from __future__ import annotations

from types import SimpleNamespace

from graphql import ExecutionResult, GraphQLError

from graph.extensions.masking import MASKED_MESSAGE, Masking, should_mask_error


def test_unexpected_errors_are_masked_and_public_ones_kept() -> None:
    masking = Masking(should_mask_error=should_mask_error)
    unexpected = GraphQLError("db password wrong", original_error=RuntimeError("secret"))
    invalid = GraphQLError("Cannot query field 'x' on type 'Query'.")
    result = ExecutionResult(data=None, errors=[unexpected, invalid])
    masking._process_result(result)
    assert [e.message for e in result.errors or []] == [MASKED_MESSAGE, invalid.message]


def test_results_without_errors_are_left_alone() -> None:
    masking = Masking(should_mask_error=lambda _error: True)
    empty: list[GraphQLError] = []
    clean = ExecutionResult(data={"a": 1}, errors=empty)
    masking._process_result(clean)
    assert clean.errors is empty
    masking._process_result(SimpleNamespace(data={}))  # no `errors` at all: nothing to do
