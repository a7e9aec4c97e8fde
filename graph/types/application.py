"""Applications (Anträge) with one status vocabulary and their full status history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from graph.domain.status import current_status
from graph.types.node import Node, to_global_id
from graph.types.payment import Payment
from graph.types.portal import Portal
from graph.types.service import Service
from graph.types.vocabulary import describe_values
from sources.base import (
    ApplicationRecord,
    ApplicationStatus,
    PaymentRecord,
    StatusEventRecord,
    StatusSource,
)

if TYPE_CHECKING:
    from graph.context import Context

strawberry.enum(
    ApplicationStatus,
    description=(
        "Status of an application, unifying FIT-Connect transport events and the "
        "Statusmonitor of the authority (ZBP status_v6)."
    ),
)
strawberry.enum(
    StatusSource,
    description="Where a status entry comes from: FIT-Connect event log or the authority's Statusmonitor.",
)
describe_values(
    ApplicationStatus,
    {
        "INITIATED": "Started but not sent yet (begonnen).",
        "SUBMITTED": "Sent by the applicant (eingereicht).",
        "RECEIVED": "Received by the authority (eingegangen).",
        "PROCESSING": "Being processed by the authority (in Bearbeitung).",
        "ACTION_REQUIRED": "The authority needs something from the applicant (Mitwirkung erforderlich).",
        "COMPLETED": "Decided and closed (abgeschlossen).",
        "REJECTED": "Rejected, as a submission or as a decision (abgelehnt).",
        "DELETED": "Withdrawn or deleted (gelöscht).",
    },
)
describe_values(
    StatusSource,
    {
        "FIT_CONNECT": "The submission's FIT-Connect event log (Ereignisprotokoll).",
        "STATUS_MONITOR": "The authority's Statusmonitor (ZBP status_v6).",
    },
)


@strawberry.type(description="One entry of an application's status history (Statusverlauf).")
class StatusChange:
    time: datetime = strawberry.field(description="When the status was reached.")
    status: ApplicationStatus = strawberry.field(description="The status reached.")
    source: StatusSource = strawberry.field(description="Which system reported it.")
    detail: str | None = strawberry.field(
        description="Human-readable detail, e.g. what is missing."
    )
    reply_id: str | None = strawberry.field(
        default=None,
        description=(
            "FIT-Connect reply id (Rückkanal) when the entry documents a reply in the case;"
            " the reply's content reaches the viewer through the reply channel (FINK: the"
            " Postfach, as a message of this application)."
        ),
    )

    @classmethod
    def from_record(cls, record: StatusEventRecord) -> StatusChange:
        return cls(
            time=record.time,
            status=record.status,
            source=record.source,
            detail=record.detail,
            reply_id=record.reply_id,
        )


@strawberry.type(description="An application (Antrag) the viewer submitted through a portal.")
class Application(Node):
    application_id: str = strawberry.field(description="Application id at the portal.")
    case_id: str = strawberry.field(description="FIT-Connect case id (Vorgang).")
    reference: str | None = strawberry.field(
        description="File reference of the authority (Aktenzeichen)."
    )
    leika_key: str | None = strawberry.field(description="LeiKa key of the service applied for.")
    service_name: str | None = strawberry.field(
        description="Name of the service as the portal recorded it."
    )
    created_at: datetime | None = strawberry.field(description="When the application was started.")
    submitted_at: datetime | None = strawberry.field(
        description="When it was submitted (eingereicht)."
    )
    updated_at: datetime | None = strawberry.field(description="Last change.")
    portal: Portal = strawberry.field(description="Portal the application was made through.")
    record: strawberry.Private[ApplicationRecord]
    # Loaded fresh for one subscription event: the operation's loaders live as long as the
    # connection and would answer every later event with the first event's state.
    history_now: strawberry.Private[list[StatusEventRecord] | None] = None
    payments_now: strawberry.Private[list[PaymentRecord] | None] = None

    @strawberry.field(description="Full status history (Statusverlauf), oldest first.")
    async def status_history(self, info: strawberry.Info[Context, None]) -> list[StatusChange]:
        return [StatusChange.from_record(e) for e in await self._history(info)]

    @strawberry.field(description="Current status: the latest entry of the history.")
    async def status(self, info: strawberry.Info[Context, None]) -> ApplicationStatus:
        return current_status(await self._history(info))

    async def _history(self, info: strawberry.Info[Context, None]) -> list[StatusEventRecord]:
        if self.history_now is not None:
            return self.history_now
        return await info.context.application_history(self.record)

    @strawberry.field(description="The service applied for, described for the portal's region.")
    async def service(self, info: strawberry.Info[Context, None]) -> Service | None:
        if self.record.leika_key is None:
            return None
        record = await info.context.loaders.service_for(self.portal.ars, self.record.leika_key)
        if record is None:
            return None
        return Service.from_record(record, info.context.gateway.portals[record.portal_id])

    @strawberry.field(description="Payments linked to the application (XBezahldienste).")
    async def payments(self, info: strawberry.Info[Context, None]) -> list[Payment]:
        records = self.payments_now
        if records is None:
            records = await info.context.loaders.payments(
                self.record.portal_id, self.record.payments
            )
        return [Payment.from_record(r, self.portal, self.record.id) for r in records]

    @classmethod
    def from_record(cls, record: ApplicationRecord, portal: Portal) -> Application:
        return cls(
            id=to_global_id("Application", record.portal_id, record.id),
            application_id=record.id,
            case_id=record.case_id,
            reference=record.reference,
            leika_key=record.leika_key,
            service_name=record.service_name,
            created_at=record.created_at,
            submitted_at=record.submitted_at,
            updated_at=record.updated_at,
            portal=portal,
            record=record,
        )
