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
                results.append(resolve_entity(info, representation))  # type: ignore[arg-type]
            except PublicError as exc:
                # One bad reference fails only its own item, as Strawberry's resolver does.
                results.append(exc)
        return results
