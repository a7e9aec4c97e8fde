"""The Mutation root: writes on behalf of the signed-in viewer."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from graph.context import Info
from graph.resolvers.forget import forget_finished_applications
from graph.resolvers.inbox import mark_read
from graph.resolvers.payments import start_payment
from graph.resolvers.permissions import SignedIn
from graph.resolvers.submissions import reply_to_message, submit_application
from graph.types.message import Message
from graph.types.payment import StartPaymentInput, StartPaymentResult
from graph.types.submission import (
    ApplicationsForgotten,
    ReplyToMessageResult,
    SubmitApplicationInput,
    SubmitApplicationResult,
)


@strawberry.type(description="Changes made on behalf of the signed-in viewer.")
class Mutation:
    @strawberry.mutation(
        permission_classes=[SignedIn],
        description="Start paying for one of the viewer's applications; returns the pay page to redirect to.",
    )
    async def start_payment(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - GraphQL argument name
            StartPaymentInput,
            strawberry.argument(description="Which application to pay and where to return."),
        ],
    ) -> StartPaymentResult:
        return await start_payment(info, input)

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description="Mark one of the viewer's messages as read; returns it.",
    )
    async def mark_message_read(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of the message.")],  # noqa: A002 - GraphQL argument name
    ) -> Message:
        return await mark_read(info, id)

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description="Submit an application: routed to the responsible authority, encrypted (FIT-Connect), then listed in the viewer's applications. Attachments per the GraphQL multipart request spec.",
    )
    async def submit_application(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - GraphQL argument name
            SubmitApplicationInput,
            strawberry.argument(description="Service, region, form (Antragsdaten) and files."),
        ],
    ) -> SubmitApplicationResult:
        return await submit_application(info, input)

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description="Answer a message that allows a reply (replyAllowed); delivered through the portal's return channel into the same case.",
    )
    async def reply_to_message(
        self,
        info: Info,
        message_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global ID of the message answered.")
        ],
        body: Annotated[str, strawberry.argument(description="The reply text (plain text).")],
        client_mutation_id: Annotated[
            str, strawberry.argument(description="Idempotency key chosen by the client.")
        ],
        attachments: Annotated[
            list[Upload] | None, strawberry.argument(description="Files to enclose.")
        ] = None,
    ) -> ReplyToMessageResult:
        return await reply_to_message(info, message_id, body, attachments or [], client_mutation_id)

    @strawberry.mutation(
        description="Delete the viewer's finished applications (submitted or failed) from this gateway's own record (GDPR Art. 17), and the account links it learned. Portals and authorities keep theirs; entries still being sent stay."
    )
    async def forget_finished_applications(self, info: Info) -> ApplicationsForgotten:
        return await forget_finished_applications(info)
