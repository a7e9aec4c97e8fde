"""The Query root: thin fields that delegate to the domain resolvers."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.resolvers.me import Me, me
from graph.resolvers.node import node_by_id
from graph.resolvers.pagination import After, Before, First, Last
from graph.resolvers.portals import list_portals, portal_by_id, search_regions
from graph.resolvers.services import search_services, service_by_id
from graph.types.connection import Connection
from graph.types.node import Node
from graph.types.portal import Portal, Tier
from graph.types.region import Region
from graph.types.service import Service

Text = Annotated[str | None, strawberry.argument(description="Free-text search, e.g. 'Reisepass'.")]
Ars = Annotated[
    str | None,
    strawberry.argument(
        description="Regional key (ARS) of 2, 3, 5, 9 or 12 digits; federal services only when omitted."
    ),
]
LeikaKey = Annotated[
    str | None,
    strawberry.argument(description="Only this LeiKa key (Leistungsschlüssel, 14 digits)."),
]
GlobalId = Annotated[strawberry.ID, strawberry.argument(description="Opaque global ID.")]


@strawberry.type(description="Entry points of the Portalverbund graph.")
class Query:
    @strawberry.field(
        description=(
            "Public services (Verwaltungsleistungen) available in a region: its own, its state's "
            "and federal ones (ARS inheritance), one per LeiKa key with the most local description"
            " winning. A page holds `first` (or `last`) services whenever that many more exist;"
            " each service appears once across all pages. `totalCount` is exact when the page"
            " read the directory's whole answer, otherwise the directory's number of texts: an"
            " upper bound (a service with a Bund and a municipal text counts twice)."
        )
    )
    async def services(
        self,
        info: Info,
        query: Text = None,
        ars: Ars = None,
        leika_key: LeikaKey = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Service]:
        paging = {"first": first, "after": after, "last": last, "before": before}
        return await search_services(info, query, ars, leika_key, paging)

    @strawberry.field(description="One service description by its global ID.")
    async def service(self, info: Info, id: GlobalId) -> Service | None:  # noqa: A002 - GraphQL argument name
        return await service_by_id(info, id)

    @strawberry.field(description="Portals of the network (Portalverbund), optionally of one tier.")
    def portals(
        self,
        info: Info,
        tier: Annotated[
            Tier | None, strawberry.argument(description="Only portals of this tier.")
        ] = None,
    ) -> list[Portal]:
        return list_portals(info, tier)

    @strawberry.field(description="One portal by its id.")
    def portal(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Portal id.")],  # noqa: A002 - GraphQL argument name
    ) -> Portal | None:
        return portal_by_id(info, id)

    @strawberry.field(
        description="Regions (Gebiete) whose name or postal code matches, e.g. 'Dorm' or '415'."
    )
    async def regions(
        self,
        info: Info,
        search: Annotated[
            str, strawberry.argument(description="At least 2 characters of a name or postal code.")
        ],
    ) -> list[Region]:
        return await search_regions(info, search)

    @strawberry.field(
        description="The signed-in citizen or organisation; null for anonymous requests."
    )
    def me(self, info: Info) -> Me | None:
        return me(info)

    @strawberry.field(
        description="Any object by its global ID (Relay); null when it does not exist."
    )
    async def node(self, info: Info, id: GlobalId) -> Node | None:  # noqa: A002 - GraphQL argument name
        return await node_by_id(info, id)
