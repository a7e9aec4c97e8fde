"""What an upstream answered, read whole, from either client: its shape (`Answer`), its
JSON body and its Retry-After."""

from __future__ import annotations

import contextlib
import email.utils
import json as std_json
import time
from collections.abc import Mapping
from typing import Any, Protocol

import orjson


class Answer(Protocol):
    """An answer read whole, from either client (`httpx.Response` is one)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    @property
    def is_success(self) -> bool: ...


def decode_json(content: bytes) -> Any:
    """The body as JSON, by orjson (half of the standard library's cost on a directory page).

    What orjson refuses but the standard library reads (UTF-16/32 bodies) goes to the
    standard library; either raises ValueError for a body that is not JSON. Unlike the
    standard library, orjson reads integers beyond 64 bits as floats (no upstream sends them).
    """
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return std_json.loads(content)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    with contextlib.suppress(TypeError, ValueError):
        moment = email.utils.parsedate_to_datetime(value)
        return max(0.0, moment.timestamp() - time.time())
    return None
