"""Compare a JSON answer with a recorded sample: field names, JSON types, nesting.

`mismatches(actual, sample)` lists every field of `actual` the sample does not have (an
invented field), every value whose JSON type differs, and every `required` path missing.
Lists are compared item by item against the union of the sample's items, so one sample list
can show several variants (e.g. PVOG text modules with and without links).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def union(samples: Iterable[Any]) -> Any:
    """One sample standing for several: objects merge their members, lists their items."""
    values = list(samples)
    objects = [v for v in values if isinstance(v, dict)]
    if objects and len(objects) == len(values):
        keys = dict.fromkeys(k for o in objects for k in o)
        return {k: union(o[k] for o in objects if k in o) for k in keys}
    lists = [v for v in values if isinstance(v, list)]
    if lists and len(lists) == len(values):
        return [union(item for items in lists for item in items)] if any(lists) else []
    return next((v for v in values if v is not None), None)


def mismatches(
    actual: Any, sample: Any, path: str = "$", required: Iterable[str] = ()
) -> list[str]:
    found = _compare(actual, sample, path)
    for needed in required:
        if _lookup(actual, needed) is _MISSING:
            found.append(f"{needed}: required by the published shape, missing")
    return found


_MISSING = object()


def _lookup(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _compare(actual: Any, sample: Any, path: str) -> list[str]:
    if sample is None:  # a sample value of null stands for "a string, or null"
        return [] if kind(actual) in ("null", "string") else [f"{path}: {kind(actual)} not string"]
    if kind(actual) != kind(sample):
        return [f"{path}: {kind(actual)} where the sample has {kind(sample)}"]
    if isinstance(sample, dict):
        found: list[str] = []
        for key, value in actual.items():
            if key not in sample:
                found.append(f"{path}.{key}: not in the published shape")
            else:
                found += _compare(value, sample[key], f"{path}.{key}")
        return found
    if isinstance(sample, list) and sample:
        model = union(sample)
        return [problem for item in actual for problem in _compare(item, model, f"{path}[]")]
    return []
