"""The graph as an Apollo Federation v2 subgraph, so a national supergraph can compose it.

Strawberry resolves a reference through the entity type's `resolve_reference`; here
references resolve in graph/resolvers/entities.py instead, because the types stay free of
resolver imports (DESIGN.md's dependency rules).
"""

from __future__ import annotations

from typing import Any, Final

import strawberry
from strawberry.federation.schema import FederationAny
from strawberry.types.info import Info

from graph.domain.errors import PublicError
from graph.resolvers.entities import resolve_entity

# Pinned rather than Strawberry's default, so upgrading Strawberry cannot move the
# `@link` URL a router composes against.
FEDERATION_VERSION: Final = "2.11"


class FederatedSchema(strawberry.federation.Schema):
    def entities_resolver(
        self, info: Info[Any, Any], representations: list[FederationAny]
    ) -> list[FederationAny]:
        results: list[Any] = []
        for representation in representations:
            try:
                results.append(resolve_entity(info, representation))
            except PublicError as exc:
                # One bad reference fails only its own item, as Strawberry's resolver does.
                results.append(exc)
        return results


FEDERATION_FIELDS = ("_entities", "_service")


def federation_fields_last(schema: strawberry.Schema) -> None:
    """List `_entities` and `_service` after the domain fields (GraphiQL's docs, the SDL).

    They are for a router composing the supergraph; a frontend developer reading the
    Query type should meet `services`, `me` and `node` first. Only the order changes.
    """
    query = schema._schema.query_type
    if query is None:
        return
    fields = query.fields  # graphql-core builds this dict once and keeps it
    for name in FEDERATION_FIELDS:
        if name in fields:
            fields[name] = fields.pop(name)
