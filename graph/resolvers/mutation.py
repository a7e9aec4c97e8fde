"""The Mutation root: writes on behalf of the signed-in viewer."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.resolvers.inbox import mark_read
from graph.resolvers.payments import start_payment
from graph.types.message import Message
from graph.types.payment import StartPaymentInput, StartPaymentResult


@strawberry.type(description="Changes made on behalf of the signed-in viewer.")
class Mutation:
    @strawberry.mutation(
        description="Start paying for one of the viewer's applications; returns the pay page to redirect to."
    )
    async def start_payment(self, info: Info, input: StartPaymentInput) -> StartPaymentResult:  # noqa: A002 - GraphQL argument name
        return await start_payment(info, input)

    @strawberry.mutation(description="Mark one of the viewer's messages as read; returns it.")
    async def mark_message_read(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of the message.")],  # noqa: A002 - GraphQL argument name
    ) -> Message:
        return await mark_read(info, id)
