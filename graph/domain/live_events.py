"""Live events as the event log carries them: each says what changed, for whom, and enough to render it.

Event ids are stable per change and audience, so the log drops a replayed callback or
a second replica's poll of the same change.
"""

from __future__ import annotations

from typing import Any

from graph.domain.ids import to_global_id
from sources.base import (
    ApplicationRecord,
    EventKind,
    EventRecord,
    MessageRecord,
    PaymentRecord,
    StatusEventRecord,
)


def status_event(audience: str, app: ApplicationRecord, entry: StatusEventRecord) -> EventRecord:
    return EventRecord(
        id=f"status:{app.portal_id}:{entry.id}:{audience}",
        kind=EventKind.APPLICATION_STATUS,
        audience=audience,
        portal_id=app.portal_id,
        data={
            "applicationId": to_global_id("Application", app.portal_id, app.id),
            "serviceName": app.service_name,
            "reference": app.reference,
            "status": entry.status.value,
            "source": entry.source.value,
            "time": entry.time.isoformat(),
            "detail": entry.detail,
        },
    )


def route_for(audience: str, app: ApplicationRecord) -> dict[str, Any]:
    return {
        "audience": audience,
        "portalId": app.portal_id,
        "applicationId": app.id,
        "caseId": app.case_id,
        "serviceName": app.service_name,
        "reference": app.reference,
    }


def application_from_route(route: dict[str, Any]) -> ApplicationRecord:
    return ApplicationRecord(
        portal_id=route["portalId"],
        id=route["applicationId"],
        case_id=route["caseId"],
        submission_id=None,
        leika_key=None,
        service_name=route.get("serviceName"),
        reference=route.get("reference"),
        created_at=None,
        submitted_at=None,
        updated_at=None,
        payments=(),
    )


def for_events(app: ApplicationRecord) -> ApplicationRecord:
    """What a watch keeps of an application for its events (ids, service, reference), not
    the whole parsed record (dates, payment links): a watch lives as long as its viewer's
    subscriptions, and the loaders that parsed the record are gone after the set-up."""
    return ApplicationRecord(
        portal_id=app.portal_id,
        id=app.id,
        case_id=app.case_id,
        submission_id=None,
        leika_key=None,
        service_name=app.service_name,
        reference=app.reference,
        created_at=None,
        submitted_at=None,
        updated_at=None,
        payments=(),
    )


def message_event(audience: str, message: MessageRecord) -> EventRecord:
    return EventRecord(
        id=f"message:{message.portal_id}:{message.id}:{audience}",
        kind=EventKind.INBOX_MESSAGE,
        audience=audience,
        portal_id=message.portal_id,
        data={
            "messageId": to_global_id("Message", message.portal_id, message.id),
            "subject": message.subject,
            "sender": message.sender,
            "service": message.service,
            "receivedAt": message.received_at.isoformat(),
            "isNotice": message.is_notice,
            "requiredTrustLevel": message.required_trust_level.value,
            "applicationId": to_global_id("Application", message.portal_id, message.application_id)
            if message.application_id
            else None,
        },
    )


def payment_event(
    audience: str, record: PaymentRecord, application: ApplicationRecord
) -> EventRecord:
    """`record` comes from the provider; ids name the application's portal."""
    portal_id = application.portal_id
    return EventRecord(
        id=f"payment:{portal_id}:{record.transaction_id}:{record.status.value}:{audience}",
        kind=EventKind.PAYMENT_STATUS,
        audience=audience,
        portal_id=portal_id,
        data={
            "paymentId": to_global_id("Payment", portal_id, application.id, record.transaction_id),
            "applicationId": to_global_id("Application", portal_id, application.id),
            "transactionId": record.transaction_id,
            "status": record.status.value,
            "amountCents": record.amount_cents,
            "currency": record.currency,
            "time": (record.paid_at.isoformat() if record.paid_at else None),
        },
    )
