"""Cursor pagination over lists the gateway has assembled (offset cursors, opaque).

Relay's both directions: `first`/`after` pages forwards, `last`/`before` backwards
(the page just before a cursor, or the end of the list), per the Relay cursor
connections spec's slicing algorithm; `after` and `before` together bound a range.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

import strawberry

from graph.domain.errors import BadUserInputError
from graph.domain.ids import unpadded_urlsafe_b64
from graph.resolvers.arguments import check_page_size
from graph.settings import Settings
from graph.types.connection import Connection, Edge, PageInfo
from graph.types.portal import Outage

T = TypeVar("T")
VERSION = "pg1"


def encode_cursor(list_name: str, offset: int) -> str:
    return unpadded_urlsafe_b64(f"{VERSION}:{list_name}:{offset}".encode())


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


First = Annotated[
    int | None, strawberry.argument(description="Page size (default 20, maximum 100).")
]
After = Annotated[str | None, strawberry.argument(description="Cursor of the last item seen.")]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Page backwards: this many items before `before` (or the end)."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Cursor of the first item seen; pass with `last`."),
]


@dataclass(frozen=True, slots=True)
class Page:
    """A checked page request: sizes and cursor offsets, before any upstream call."""

    first: int | None = None
    last: int | None = None
    after: int | None = None
    before: int | None = None


def page_request(
    list_name: str,
    settings: Settings,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page:
    if first is not None and last is not None:
        raise BadUserInputError(
            "last", "cannot be combined with first: page forwards (first/after) or backwards"
        )
    sizes = check_page_size(first, settings, "first"), check_page_size(last, settings, "last")
    if sizes == (None, None):
        sizes = (settings.limits.default_page_size, None)
    return Page(
        *sizes,
        after=decode_cursor(after, list_name) if after is not None else None,
        before=decode_cursor(before, list_name, argument="before") if before is not None else None,
    )


def paginate(
    items: Sequence[T],
    *,
    list_name: str,
    page: Page,
    outages: list[Outage] | None = None,
) -> Connection[T]:
    start = page.after + 1 if page.after is not None else 0
    stop = min(page.before, len(items)) if page.before is not None else len(items)
    stop = max(stop, start)
    if page.first is not None:
        stop = min(stop, start + page.first)
    if page.last is not None:
        start = max(start, stop - page.last)
    window = items[start:stop]
    edges = [
        Edge(cursor=encode_cursor(list_name, start + i), node=node) for i, node in enumerate(window)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=stop < len(items),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(items),
        outages=outages or [],
    )
