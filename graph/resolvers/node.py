"""The Relay `node(id:)` entry point: dispatch an opaque ID to its type's loader."""

from __future__ import annotations

from graph.arguments import check_global_id
from graph.context import Info
from graph.resolvers.services import load_service
from graph.types.node import Node


async def node_by_id(info: Info, global_id: str) -> Node | None:
    type_name, parts = check_global_id(global_id)
    if type_name == "Service" and len(parts) == 2:
        return await load_service(info, parts[0], parts[1])
    return None
