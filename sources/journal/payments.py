"""Payment links for XBezahldienste, which offers no lookup by requestId.

The gateway records the link (state PENDING) before it calls the provider and completes it
with the transaction id and URL before it answers the client. A retry then finds the
transaction in the journal instead of starting a second payment; the provider would refuse
the reused requestId anyway (PAYMENT_EXISTS).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import Database, first
from .errors import JournalConflictError
from .records import PaymentLink, PaymentState
from .tables import check_lengths, payment_links
from .work import unit_of_work

P = payment_links.c


class PaymentLinks:
    def __init__(self, db: Database) -> None:
        self.db = db

    @unit_of_work
    async def record(
        self,
        subject_key: str,
        application_id: str,
        request_id: str,
        *,
        provider_id: str,
        originator_id: str,
        end_point_id: str,
    ) -> PaymentLink:
        """Before the provider call. The same request again returns the stored link."""
        now = self.db.clock()
        values = {
            "request_id": request_id,
            "subject_key": subject_key,
            "application_id": application_id,
            "provider_id": provider_id,
            "originator_id": originator_id,
            "end_point_id": end_point_id,
        }
        check_lengths(payment_links, values)
        statement = (
            self.db.insert(payment_links)
            .values(**values, state=PaymentState.PENDING.value, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=[P.request_id])
        )
        async with self.db.observe("payments.record"), self.db.write() as conn:
            await conn.execute(statement)
            row = await first(conn, select(payment_links).where(P.request_id == request_id))
        link = payment_link(row)
        mine = (link.subject_key, link.application_id, link.provider_id)
        if mine != (subject_key, application_id, provider_id):
            raise JournalConflictError("This payment request id belongs to another payment.")
        return link

    @unit_of_work
    async def complete(
        self,
        request_id: str,
        *,
        transaction_id: str,
        transaction_url: str | None,
        state: PaymentState = PaymentState.INITIAL,
    ) -> PaymentLink:
        """PENDING → the provider's answer (repeatable with the same transaction id)."""
        where = (P.request_id == request_id) & or_(
            P.state == PaymentState.PENDING.value, P.transaction_id == transaction_id
        )
        values = {"transaction_id": transaction_id, "transaction_url": transaction_url}
        check_lengths(payment_links, values)
        values |= {"state": state.value}
        return await self._update("payments.complete", request_id, where, values)

    @unit_of_work
    async def update_state(self, request_id: str, state: PaymentState) -> PaymentLink:
        """A later status from the provider (PAYED, CANCELED, FAILED)."""
        where = (P.request_id == request_id) & P.transaction_id.is_not(None)
        return await self._update(
            "payments.update_state", request_id, where, {"state": state.value}
        )

    @unit_of_work
    async def get(self, request_id: str) -> PaymentLink | None:
        async with self.db.observe("payments.get"), self.db.read() as conn:
            row = await first(conn, select(payment_links).where(P.request_id == request_id))
        return None if row is None else payment_link(row)

    @unit_of_work
    async def for_subject(self, subject_key: str) -> list[PaymentLink]:
        """The viewer's payment links, oldest first (their tenants are the ones to ask)."""
        async with self.db.observe("payments.for_subject"), self.db.read() as conn:
            return await subject_links(conn, subject_key)

    async def _update(
        self, operation: str, request_id: str, where: ColumnElement[bool], values: dict[str, Any]
    ) -> PaymentLink:
        async with self.db.observe(operation), self.db.write() as conn:
            changed = await conn.execute(
                update(payment_links).where(where).values(**values, updated_at=self.db.clock())
            )
            if changed.rowcount != 1:
                raise JournalConflictError(
                    "No such payment link, or it already has another transaction."
                )
            row = await first(conn, select(payment_links).where(P.request_id == request_id))
        return payment_link(row)


# A subject's payment links, oldest first: built once, `subject_key` bound per call.
SUBJECT_PAYMENTS = (
    select(payment_links)
    .where(P.subject_key == bindparam("subject_key"))
    .order_by(P.created_at, P.request_id)
)


async def subject_links(conn: AsyncConnection, subject_key: str) -> list[PaymentLink]:
    """The subject's payment links, oldest first (one SELECT)."""
    rows = (await conn.execute(SUBJECT_PAYMENTS, {"subject_key": subject_key})).all()
    return [payment_link(row) for row in rows]


def payment_link(row: Any) -> PaymentLink:
    return PaymentLink(
        request_id=row.request_id,
        subject_key=row.subject_key,
        application_id=row.application_id,
        provider_id=row.provider_id,
        originator_id=row.originator_id,
        end_point_id=row.end_point_id,
        transaction_id=row.transaction_id,
        transaction_url=row.transaction_url,
        state=PaymentState(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
