"""Descriptions for enum values.

Most GraphQL enums here are the records' enums from sources.base, which stays free of
strawberry, so their values cannot carry `strawberry.enum_value(description=...)`. The
descriptions are attached to the registered definition instead.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from strawberry.types.enum import StrawberryEnumDefinition


def describe_values(enum_type: type[enum.Enum], descriptions: Mapping[str, str]) -> None:
    """Describe the values of an enum already registered with `strawberry.enum`.

    A value left out stays undocumented on purpose: tests/unit/graph/test_schema_docs.py names
    it, where raising here would break the import for whoever adds a member upstream.
    """
    definition = getattr(enum_type, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryEnumDefinition):
        raise TypeError(f"{enum_type.__name__} is not registered with strawberry.enum")
    unknown = set(descriptions) - {value.name for value in definition.values}
    if unknown:
        raise ValueError(f"{enum_type.__name__} has no values {sorted(unknown)}")
    for value in definition.values:
        value.description = descriptions.get(value.name, value.description)
