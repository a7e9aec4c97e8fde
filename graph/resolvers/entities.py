"""Apollo Federation entity references: how a supergraph router fetches our objects.

A router sends representations such as `{"__typename": "Service", "leikaKey": "…",
"ars": "…"}`; each resolves like the matching public query would, so a reference never
reaches data that the same anonymous query could not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

from graph.context import Info
from graph.domain.errors import BadUserInputError
from graph.resolvers.portals import portal_by_id
from graph.resolvers.services import search_services
from graph.types.portal import Portal
from graph.types.service import Service


def _text(representation: Mapping[str, Any], key: str) -> str:
    value = representation.get(key)
    if not isinstance(value, str):
        raise BadUserInputError(f"representations.{key}", "must be a string")
    return value


async def service_entity(info: Info, representation: Mapping[str, Any]) -> Service | None:
    """The description in force for a LeiKa key in a region (most local wins, as `services`)."""
    page = await search_services(
        info,
        None,
        _text(representation, "ars"),
        _text(representation, "leikaKey"),
        {"first": 1},
    )
    return page.edges[0].node if page.edges else None


async def portal_entity(info: Info, representation: Mapping[str, Any]) -> Portal | None:
    return portal_by_id(info, _text(representation, "id"))


ENTITIES = {"Service": service_entity, "Portal": portal_entity}


def resolve_entity(info: Info, representation: object) -> Awaitable[object]:
    """One entity; graphql-core awaits each list item, so references resolve concurrently."""
    if not isinstance(representation, Mapping):  # `_Any` lets any JSON value through
        raise BadUserInputError("representations", "each must be an object")
    resolver = ENTITIES.get(str(representation.get("__typename")))
    if resolver is None:
        raise BadUserInputError("representations.__typename", "is not an entity of this graph")
    return resolver(info, representation)
