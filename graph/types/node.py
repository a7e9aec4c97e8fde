"""The Relay `Node` interface; its opaque global IDs are built by graph/domain/ids.py."""

from __future__ import annotations

import strawberry

from graph.domain import ids


@strawberry.interface(description="An object with a stable, opaque global ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID; pass it to `node(id:)`.")


def to_global_id(type_name: str, *parts: str) -> strawberry.ID:
    return strawberry.ID(ids.to_global_id(type_name, *parts))
