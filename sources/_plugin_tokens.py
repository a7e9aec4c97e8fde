"""The token a plug-in account area or inbox is handed: exchanged where its entry says so.

A plug-in's methods take `subject_token`. Where the entry's `auth` table says
`token_exchange`, the gateway exchanges the citizen's sign-in token for the portal's
audience (RFC 8693, cached per citizen) before every call, so the plug-in never holds the
sign-in token; without that table it gets the sign-in token (docs/submissions.md
"Plug-in adapters"). Everything else passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sources.base import (
    AccountArea,
    AccountRecord,
    ApplicationRecord,
    FileRecord,
    MessageRecord,
    PaymentLinkRecord,
    Postbox,
    StatusEventRecord,
)

Exchange = Callable[[str], Awaitable[str]]


class ExchangingAccountArea:
    def __init__(self, inner: AccountArea, exchange: Exchange) -> None:
        self.inner = inner
        self.portal = inner.portal
        self.exchange = exchange

    async def account(self, subject_token: str) -> AccountRecord | None:
        return await self.inner.account(await self.exchange(subject_token))

    async def applications(self, subject_token: str) -> list[ApplicationRecord]:
        return await self.inner.applications(await self.exchange(subject_token))

    async def link_payment(
        self, subject_token: str, application_id: str, link: PaymentLinkRecord
    ) -> None:
        await self.inner.link_payment(await self.exchange(subject_token), application_id, link)


class ExchangingPostbox:
    def __init__(self, inner: Postbox, exchange: Exchange) -> None:
        self.inner = inner
        self.portal = inner.portal
        self.exchange = exchange

    async def messages(self, subject_token: str) -> list[MessageRecord]:
        return await self.inner.messages(await self.exchange(subject_token))

    async def status_updates(self, subject_token: str) -> list[StatusEventRecord]:
        return await self.inner.status_updates(await self.exchange(subject_token))

    async def mark_read(self, subject_token: str, message_id: str) -> None:
        await self.inner.mark_read(await self.exchange(subject_token), message_id)

    async def attachment(
        self, subject_token: str, message_id: str, attachment_id: str
    ) -> FileRecord:
        token = await self.exchange(subject_token)
        return await self.inner.attachment(token, message_id, attachment_id)
