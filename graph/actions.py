"""Writes on behalf of the viewer, beside the read-only loaders of a request.

Never cached, never batched, never merged: each call goes to exactly one upstream and
its failure propagates as a `SourceError` for the resolver or endpoint to answer.
Downloading an attachment is here too: a file, personal, streamed once, not a record.
The journal's writes about the viewer are here as well: learned account links and the
payment links that `startPayment` stores before it answers.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from graph.domain.adapters import Adapters
from graph.domain.errors import NotFoundError, PublicError
from graph.domain.holdings import as_link, needs_refresh
from sources.base import (
    ErrorCode,
    FileRecord,
    PaymentLinkRecord,
    PaymentRecord,
    PaymentRequestRecord,
    Postbox,
)
from sources.errors import SourceError, SourceRejectedError
from sources.journal import AccountLink, Journal, JournalConflictError, JournalError

logger = logging.getLogger("portalgraph.actions")


class NoPaymentTenantError(Exception):
    """No provider tenant serves the authority's ARS (or the gateway keeps no journal)."""


class PaymentRequestTakenError(Exception):
    """The payment's requestId is another viewer's or another application's."""


class RecordUnavailableError(PublicError):
    """The journal (the gateway's own record) cannot be read or written right now."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class ProviderUnavailableError(PublicError):
    """The payment provider did not answer; the journal keeps the request for the retry."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class Actions:
    def __init__(
        self,
        adapters: Adapters,
        journal: Journal | None = None,
        link_ttl: timedelta = timedelta(days=90),
    ) -> None:
        self.adapters = adapters
        self.journal = journal
        self.link_ttl = link_ttl

    async def mark_read(self, portal_id: str, token: str, message_id: str) -> None:
        await self._postbox(portal_id).mark_read(token, message_id)

    async def attachment(
        self, portal_id: str, token: str, message_id: str, attachment_id: str
    ) -> FileRecord:
        return await self._postbox(portal_id).attachment(token, message_id, attachment_id)

    def _postbox(self, portal_id: str) -> Postbox:
        # A platform's records may name its entry instead of a municipality.
        postbox = self.adapters.postboxes.get(portal_id) or self.adapters.postbox(portal_id)
        if postbox is None:
            raise NotFoundError("No such message in your mailbox.")
        return postbox

    async def account_answered(
        self, subject_key: str | None, entry_id: str, has_account: bool, known: AccountLink | None
    ) -> None:
        """An account area answered for the viewer: learn or refresh the link (an account
        there), or forget it (none). A journal failure costs only the link, never the query."""
        journal = self.journal
        if journal is None or subject_key is None:
            return
        try:
            if not has_account:
                if known is not None:
                    await journal.accounts.forget(subject_key, entry_id)
            elif needs_refresh(known, journal.db.clock(), self.link_ttl):
                await journal.accounts.learn(subject_key, entry_id, self.link_ttl.total_seconds())
        except JournalError as exc:
            logger.warning("account link not written: %s", exc.code)

    async def start_payment(
        self, subject_key: str, application_id: str, ars: str, request: PaymentRequestRecord
    ) -> tuple[PaymentLinkRecord, PaymentRecord | None]:
        """XBezahldienste has no look-up by requestId, so the journal keeps the link: it is
        stored (PENDING) before the provider call and completed before this answers. The
        same request again finds the completed link and creates nothing.

        Returns the link and the provider's record (None: the transaction exists but the
        provider does not show it). Raises NoPaymentTenantError, PaymentRequestTakenError,
        RecordUnavailableError (the journal), SourceRejectedError (the provider refused),
        ProviderUnavailableError (any other provider failure: retry the same request).
        """
        choice = self.adapters.tenants.choose(ars)
        provider = self.adapters.payments.get(choice[0].id) if choice else None
        if self.journal is None or choice is None or provider is None:
            raise NoPaymentTenantError(ars)
        record, tenant = choice
        payments = self.journal.payments
        try:
            stored = await payments.record(
                subject_key,
                application_id,
                request.request_id,
                provider_id=record.id,
                originator_id=tenant.originator_id,
                end_point_id=tenant.endpoint_id,
            )
            if stored.transaction_id:  # done before: answer from the journal
                link = as_link(stored)
                return link, await provider.transaction(link)
            created = await provider.create(stored.originator_id, stored.end_point_id, request)
            completed = await payments.complete(
                request.request_id,
                transaction_id=created.transaction_id,
                transaction_url=created.redirect_url,
            )
        except JournalConflictError as exc:
            raise PaymentRequestTakenError(request.request_id) from exc
        except SourceRejectedError:
            raise  # the provider refused the request: the resolver answers why
        except SourceError as exc:
            raise ProviderUnavailableError(
                "The payment provider is not answering; try again with the same requestId.",
                retryable=True,
            ) from exc
        except JournalError as exc:
            raise RecordUnavailableError(
                "The gateway's record cannot be written right now; try again later.",
                retryable=True,
            ) from exc
        return as_link(completed), created

    async def link_payment(
        self, portal_id: str, token: str, application_id: str, link: PaymentLinkRecord
    ) -> None:
        """Tells the portal's account area about the transaction, where it has one; the
        journal holds the link anyway, so a failure here is logged, not answered."""
        area = self.adapters.account_areas.get(portal_id) or self.adapters.account_area(portal_id)
        if area is None:
            return
        try:
            await area.link_payment(token, application_id, link)
        except SourceError as exc:  # best effort: the journal has the link
            logger.warning("account area did not take the payment link: %s", type(exc).__name__)
