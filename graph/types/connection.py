"""Relay-style connections, shared by every list that can grow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from graph.types.portal import Outage

NodeType = TypeVar("NodeType")


@strawberry.type(description="Where a page sits in its list (Relay PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first item; pass it as `before` for the previous page."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a page together with its cursor.")
class Edge(Generic[NodeType]):
    cursor: str = strawberry.field(
        description="Opaque cursor; pass it as `after` (forwards) or `before` (backwards)."
    )
    node: NodeType = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list that can grow (Relay connection).")
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(
        description=(
            "Number of items in the whole list; where it can only be an upper bound, the"
            " list's field says so (`services`)."
        )
    )
    outages: list[Outage] = strawberry.field(
        description="Portals whose part of this list is missing because their upstream failed."
    )


class LazyEdge(Edge[NodeType]):
    """An edge whose cursor is encoded when a client reads it: a search shows up to a
    hundred services a page and is mostly asked for their nodes only (issue 21). GraphQL
    sees an `Edge` (its fields are read as attributes); `cursor` encodes the same bytes."""

    def __init__(self, node: NodeType, cursor: Callable[[], str]) -> None:
        # Not the dataclass's __init__: it would assign `cursor`, which is computed here.
        self.node = node
        self._cursor = cursor

    @property
    def cursor(self) -> str:  # type: ignore[override]  # read-only: computed, never assigned
        return self._cursor()
