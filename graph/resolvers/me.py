"""`me`: the signed-in viewer with their applications and inbox (asked where they have something)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.resolvers.applications import application_by_id, list_applications
from graph.resolvers.inbox import list_messages, unread_count
from graph.resolvers.pagination import After, Before, First, Last
from graph.types.account import Identity
from graph.types.application import Application
from graph.types.connection import Connection
from graph.types.message import Message
from sources.base import ApplicationStatus

PortalId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description=(
            "Only this portal. A portal the viewer is not linked to yet is asked once; an"
            " account there is remembered (later queries ask it too)."
        )
    ),
]


@strawberry.type(
    name="Me",
    description="The signed-in citizen or organisation (Nutzerkonto), unified across portals.",
)
class Me(Identity):
    @strawberry.field(
        description=(
            "The viewer's applications (Anträge), newest first: what this gateway submitted"
            " for them and what the account areas they are linked to list."
        )
    )
    async def applications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: Annotated[
            list[ApplicationStatus] | None,
            strawberry.argument(
                description="Only applications currently in one of these statuses."
            ),
        ] = None,
        portal: PortalId = None,
    ) -> Connection[Application]:
        paging = {"first": first, "after": after, "last": last, "before": before}
        return await list_applications(info, paging, status, portal)

    @strawberry.field(description="One of the viewer's applications; null if it is not theirs.")
    async def application(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global ID.")],  # noqa: A002 - GraphQL argument name
    ) -> Application | None:
        return await application_by_id(info, id)

    @strawberry.field(
        description="Messages in the mailboxes (Postfach) the viewer is linked to, newest first."
    )
    async def inbox(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only unread messages.")
        ] = False,
        portal: PortalId = None,
        application: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only messages about this application."),
        ] = None,
    ) -> Connection[Message]:
        paging = {"first": first, "after": after, "last": last, "before": before}
        return await list_messages(info, paging, unread_only, portal, application)

    @strawberry.field(
        description="Number of unread messages in the viewer's linked mailboxes (locked ones included)."
    )
    async def unread_message_count(self, info: Info) -> int:
        return await unread_count(info)


def me(info: Info) -> Me | None:
    viewer = info.context.viewer
    return Me.from_record(viewer) if viewer else None
