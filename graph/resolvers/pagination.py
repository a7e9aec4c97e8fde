"""Cursor pagination over lists the gateway has assembled (offset cursors, opaque)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from graph.domain.errors import BadUserInputError
from graph.types.connection import Connection, Edge, PageInfo
from graph.types.portal import Outage

T = TypeVar("T")
VERSION = "pg1"


def encode_cursor(list_name: str, offset: int) -> str:
    raw = f"{VERSION}:{list_name}:{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, list_name: str, *, argument: str = "after") -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, name, offset = raw.split(":")
        position = int(offset)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadUserInputError(argument, "is not a valid cursor") from None
    if version != VERSION or position < 0:
        raise BadUserInputError(argument, "is not a valid cursor")
    if name != list_name:
        raise BadUserInputError(argument, "is a cursor of another list")
    return position


def start_after(after: str | None, list_name: str) -> int:
    """The offset a page starts at; check it before any upstream call."""
    return decode_cursor(after, list_name) + 1 if after is not None else 0


def paginate(
    items: Sequence[T],
    *,
    list_name: str,
    first: int,
    start: int,
    outages: list[Outage] | None = None,
) -> Connection[T]:
    window = items[start : start + first]
    edges = [
        Edge(cursor=encode_cursor(list_name, start + i), node=node) for i, node in enumerate(window)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < len(items),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(items),
        outages=outages or [],
    )
