"""A citizen's applications, their status events, payments and Postfach messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sources.base.portals import PortalRecord
from sources.base.vocabulary import ApplicationStatus, PaymentStatus, StatusSource, TrustLevel


@dataclass(frozen=True, slots=True)
class PaymentLinkRecord:
    transaction_id: str
    originator_id: str
    end_point_id: str
    request_id: str | None = None
    # The payment provider (network file `[[payment_providers]]` id) holding the tenant;
    # None where an account area lists the link without saying (chosen by the ARS then).
    provider_id: str | None = None


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """An application (Antrag) as the portal's account area lists it."""

    portal_id: str
    id: str
    case_id: str
    submission_id: str | None
    leika_key: str | None
    service_name: str | None
    reference: str | None
    created_at: datetime | None
    submitted_at: datetime | None
    updated_at: datetime | None
    payments: tuple[PaymentLinkRecord, ...]
    # The FIT-Connect destination the case was submitted to: only that destination may
    # write accept/reject/reply events into its log. None when the portal does not say.
    destination_id: str | None = None


@dataclass(frozen=True, slots=True)
class StatusEventRecord:
    """One entry of an application's status history, from either source."""

    id: str
    application_id: str | None
    time: datetime
    status: ApplicationStatus
    source: StatusSource
    detail: str | None
    reply_id: str | None = None  # set for FIT-Connect reply events (SET `sub` reply:<id>)


@dataclass(frozen=True, slots=True)
class PaymentItemRecord:
    id: str
    description: str
    reference: str | None
    quantity: int
    total_cents: int
    # XBezahldienste `bookingData`: provider-specific key-value pairs for the booking
    # (Haushaltsstelle, Kassenzeichen, ...), kept as sorted pairs so the record stays hashable.
    booking_data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RequestorAddressRecord:
    street: str | None = None
    house_number: str | None = None
    address_lines: tuple[str, ...] = ()
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class RequestorRecord:
    """XBezahldienste `requestor`: who pays (name = family name, gender M|F|D)."""

    name: str | None = None
    first_name: str | None = None
    gender: str | None = None
    is_organization: bool = False
    organization_name: str | None = None
    address: RequestorAddressRecord | None = None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """An XBezahldienste paymenttransaction."""

    portal_id: str
    transaction_id: str
    originator_id: str
    end_point_id: str
    request_id: str | None
    status: PaymentStatus
    status_detail: str | None
    amount_cents: int
    currency: str
    purpose: str | None
    description: str | None
    items: tuple[PaymentItemRecord, ...]
    method: str | None
    reference: str | None
    redirect_url: str | None
    requested_at: datetime | None
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentRequestRecord:
    """What the gateway asks XBezahldienste to collect (PaymentRequest)."""

    request_id: str
    purpose: str
    description: str
    redirect_url: str
    items: tuple[PaymentItemRecord, ...]
    total_cents: int
    requestor: RequestorRecord | None = None


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    id: str
    filename: str
    mime_type: str | None
    sha512: str | None
    size: int | None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A Postfach message (ZBP message_v6 fields plus mailbox metadata)."""

    portal_id: str
    id: str
    sender: str
    sender_url: str | None
    subject: str
    body: str | None
    service: str | None
    application_id: str | None
    reference: str | None
    required_trust_level: TrustLevel
    is_notice: bool
    reply_allowed: bool  # message_v6 `replyAddress` is set: the authority accepts a reply
    received_at: datetime
    read_at: datetime | None
    attachments: tuple[AttachmentRecord, ...]
    reply_address: str | None = None


@dataclass(frozen=True, slots=True)
class FileRecord:
    filename: str
    mime_type: str
    content: bytes


class CaseEvents(Protocol):
    """FIT-Connect event logs; SETs whose signature, issuer or case do not check out are dropped.

    `destination_id` is the destination the case was submitted to; events the receiving
    authority writes are accepted only from it.
    """

    portal: PortalRecord

    async def events(
        self, case_id: str, destination_id: str | None = None
    ) -> list[StatusEventRecord]: ...

    async def latest(
        self, case_id: str, destination_id: str | None = None
    ) -> StatusEventRecord | None: ...


class Postbox(Protocol):
    """A portal's Postfach for the signed-in subject (calls carry an exchanged token)."""

    portal: PortalRecord

    async def messages(self, subject_token: str) -> list[MessageRecord]: ...

    async def status_updates(self, subject_token: str) -> list[StatusEventRecord]: ...

    async def mark_read(self, subject_token: str, message_id: str) -> None: ...

    async def attachment(
        self, subject_token: str, message_id: str, attachment_id: str
    ) -> FileRecord: ...


class PaymentProvider(Protocol):
    """XBezahldienste; service-to-service credentials.

    There is no look-up by requestId: whoever starts a payment keeps the transaction link.
    `health` asks `/status/{originatorId}/{endPointId}` and raises a SourceError when the
    tenant is not usable (403: SourceAuthError, 503: SourceUnavailableError).
    """

    portal: PortalRecord

    async def transaction(self, link: PaymentLinkRecord) -> PaymentRecord | None: ...

    async def create(
        self, originator_id: str, end_point_id: str, request: PaymentRequestRecord
    ) -> PaymentRecord: ...

    async def health(self, originator_id: str, end_point_id: str) -> None: ...
