"""Writes on behalf of the viewer, beside the read-only loaders of a request.

Never cached, never batched, never merged: each call goes to exactly one upstream and
its failure propagates as a `SourceError` for the resolver or endpoint to answer.
Downloading an attachment is here too: a file, personal, streamed once, not a record.
"""

from __future__ import annotations

from typing import TypeVar

from graph.domain.adapters import Adapters
from sources.base import FileRecord, PaymentLinkRecord, PaymentRecord, PaymentRequestRecord

Found = TypeVar("Found")


def _found(adapter: Found | None) -> Found:
    if adapter is None:  # resolvers check the capability before they act
        raise LookupError("the portal does not offer this")
    return adapter


class Actions:
    def __init__(self, adapters: Adapters) -> None:
        self.adapters = adapters

    async def mark_read(self, portal_id: str, token: str, message_id: str) -> None:
        await _found(self.adapters.postbox(portal_id)).mark_read(token, message_id)

    async def attachment(
        self, portal_id: str, token: str, message_id: str, attachment_id: str
    ) -> FileRecord:
        return await _found(self.adapters.postbox(portal_id)).attachment(
            token, message_id, attachment_id
        )

    def takes_payments(self, portal_id: str) -> bool:
        """Whether the portal has a payment provider and an account area to link payments in."""
        adapters = self.adapters
        return (
            adapters.payment_provider(portal_id) is not None
            and adapters.account_area(portal_id) is not None
        )

    async def create_payment(
        self, portal_id: str, originator: str, end_point: str, request: PaymentRequestRecord
    ) -> PaymentRecord:
        return await _found(self.adapters.payment_provider(portal_id)).create(
            originator, end_point, request
        )

    async def link_payment(
        self, portal_id: str, token: str, application_id: str, link: PaymentLinkRecord
    ) -> None:
        await _found(self.adapters.account_area(portal_id)).link_payment(
            token, application_id, link
        )
