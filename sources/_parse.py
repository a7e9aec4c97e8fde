"""Small strict readers shared by the adapters' pure parse functions."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


class MalformedError(ValueError):
    """A payload that does not have the shape the parser needs."""


def obj(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedError(f"expected an object, got {type(value).__name__}")
    return value


def items_of(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedError(f"expected a list, got {type(value).__name__}")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise MalformedError(f"expected a string, got {type(value).__name__}")
    return value


def strings(value: Any) -> tuple[str, ...]:
    """A list of strings as a tuple (one type check per item, no generator per list)."""
    for item in items_of(value):
        if not isinstance(item, str):
            raise MalformedError(f"expected a string, got {type(item).__name__}")
    return tuple(value)


def optional_str(value: Any) -> str | None:
    return None if value is None else text(value)


def aware(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones are taken as UTC)."""
    if not value:
        return None
    return _moment(text(value))


@lru_cache(maxsize=4096)
def _moment(value: str) -> datetime:
    # A search answer repeats the same few timestamps (a portal's texts are published
    # together); datetimes are immutable, so one parse serves every repeat.
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cents(value: Any) -> int:
    """A decimal euro amount (XBezahldienste sends numbers like 70.0) in cents."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedError(f"expected an amount, got {type(value).__name__}")
    return round(float(value) * 100)
