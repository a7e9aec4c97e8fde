"""The vocabulary shared by the gateway and its upstream adapters.

Records are frozen dataclasses normalised from upstream payloads; the Protocols
are the seams the GraphQL layer depends on. Standard library only.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO, Protocol

ARS_PATTERN = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$")
LEIKA_PATTERN = re.compile(r"^99\d{12}$")
FEDERAL_ARS = "000000000000"


class Tier(enum.Enum):
    FEDERAL = "FEDERAL"
    STATE = "STATE"
    MUNICIPAL = "MUNICIPAL"


class Capability(enum.Enum):
    SERVICES = "services"
    ACCOUNTS = "accounts"
    STATUS = "status"
    PAYMENTS = "payments"
    INBOX = "inbox"
    SUBMISSIONS = "submissions"


class TrustLevel(enum.IntEnum):
    """STORK-QAA levels as BundID reports them (level 2 is unused in practice)."""

    BASIC = 1
    NORMAL = 2
    SUBSTANTIAL = 3
    HIGH = 4


def pad_ars(ars: str) -> str:
    """Truncated ARS are area prefixes; pad them to the 12-digit form."""
    return ars.ljust(12, "0")


def ars_prefix(ars: str) -> str:
    """The significant prefix of a 12-digit ARS: the part that names its area."""
    if ars == FEDERAL_ARS:
        return ""
    for length in (2, 3, 5, 9):
        if ars[length:] == "0" * (12 - length):
            return ars[:length]
    return ars


def ars_covers(area: str, ars: str) -> bool:
    """Whether the region `area` contains (or is) the region `ars`."""
    return pad_ars(ars).startswith(ars_prefix(pad_ars(area)))


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    """Where one capability of a portal lives and how the gateway authenticates there.

    `audience` is the token audience for per-citizen token exchange; `client_id`
    and `client_secret_env` name service-to-service credentials (the secret itself
    stays in the environment, never in the network file).
    """

    url: str
    audience: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    callback_secret_env: str | None = None
    adapter: str | None = None  # entry point in group `portalgraph.sources`; None: built in


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """The OIDC issuer whose access tokens the gateway accepts and exchanges."""

    issuer: str
    audience: str
    client_id: str
    client_secret_env: str


@dataclass(frozen=True, slots=True)
class PortalRecord:
    id: str
    name: str
    tier: Tier
    ars: str
    website: str | None
    endpoints: dict[Capability, EndpointRecord]

    @property
    def capabilities(self) -> tuple[Capability, ...]:
        return tuple(c for c in Capability if c in self.endpoints)


@dataclass(frozen=True, slots=True)
class LinkRecord:
    title: str
    uri: str


@dataclass(frozen=True, slots=True)
class FeeRecord:
    description: str
    amount_cents: int | None
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class OnlineServiceRecord:
    title: str
    uri: str
    trust_level: TrustLevel | None


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One Leistungsbeschreibung as one portal's editors wrote it."""

    portal_id: str
    id: str
    name: str
    leika_keys: tuple[str, ...]
    areas: tuple[str, ...]
    teaser: str | None
    description: str | None
    required_documents: str | None
    prerequisites: str | None
    fees_text: str | None
    fees: tuple[FeeRecord, ...]
    deadlines: str | None
    processing_time: str | None
    legal_basis: tuple[LinkRecord, ...]
    online_services: tuple[OnlineServiceRecord, ...]
    organisation_ids: tuple[str, ...]
    approved_by: str | None
    approved_on: date | None
    last_update: datetime | None


@dataclass(frozen=True, slots=True)
class AddressRecord:
    street: str | None
    house_number: str | None
    postal_code: str | None
    city: str | None


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    """An Organisationseinheit (authority or office)."""

    portal_id: str
    id: str
    name: str
    role: str | None
    addresses: tuple[AddressRecord, ...]
    phone: str | None
    fax: str | None
    email: str | None
    website: str | None
    opening_hours: str | None
    last_update: datetime | None


@dataclass(frozen=True, slots=True)
class RegionRecord:
    ars: str
    name: str
    kind: str | None
    postal_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceQuery:
    """A directory search, hashable so loaders can batch and deduplicate it."""

    ars: str
    text: str | None = None
    leika_keys: tuple[str, ...] = ()


class ServiceDirectory(Protocol):
    """A portal's service directory (PVOG Suchdienst style).

    Implementations raise `sources.errors.SourceError` subclasses only.
    """

    portal: PortalRecord

    async def search(self, query: ServiceQuery) -> list[ServiceRecord]: ...

    async def service(self, service_id: str) -> ServiceRecord | None: ...

    async def organisations(self, ids: Sequence[str]) -> dict[str, OrganisationRecord]: ...

    async def regions(self, text: str) -> list[RegionRecord]: ...


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """The viewer's account in one portal's account area (Mein Konto)."""

    portal_id: str
    account_id: str
    created_at: datetime | None
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_at: float


class TokenIssuer(Protocol):
    """The identity provider's token endpoint (OAuth 2.0 client flows).

    `exchange` is RFC 8693 token exchange for one audience; `client_credentials`
    is the service-to-service grant. Failures raise `SourceAuthError` or
    `SourceUnavailableError`.
    """

    async def exchange(self, subject_token: str, audience: str) -> IssuedToken: ...

    async def client_credentials(
        self, client_id: str, client_secret: str, audience: str | None
    ) -> IssuedToken: ...


class AccountArea(Protocol):
    """A portal's account area; calls carry a token exchanged for that portal."""

    portal: PortalRecord

    async def account(self, subject_token: str) -> AccountRecord | None: ...

    async def applications(self, subject_token: str) -> list[ApplicationRecord]: ...

    async def link_payment(
        self, subject_token: str, application_id: str, link: PaymentLinkRecord
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class PostalAddressRecord:
    street_address: str | None
    postal_code: str | None
    locality: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class ViewerRecord:
    """Who is asking: the claims of a validated BundID/OIDC access token.

    `token` is the raw sign-in token, kept only to exchange it per portal; it
    is never logged, cached in a shared store or forwarded upstream.
    """

    subject: str
    trust_level: TrustLevel
    sign_in_methods: tuple[str, ...]
    given_name: str | None
    family_name: str | None
    birthdate: date | None
    address: PostalAddressRecord | None
    email: str | None
    postfach_handle: str | None
    is_organisation: bool
    organisation_name: str | None
    expires_at: float
    token: str = field(repr=False)


class ApplicationStatus(enum.Enum):
    """One status vocabulary over FIT-Connect transport events and ZBP Statusmonitor updates."""

    INITIATED = "INITIATED"
    SUBMITTED = "SUBMITTED"
    RECEIVED = "RECEIVED"
    PROCESSING = "PROCESSING"
    ACTION_REQUIRED = "ACTION_REQUIRED"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    DELETED = "DELETED"


class StatusSource(enum.Enum):
    FIT_CONNECT = "FIT_CONNECT"
    STATUS_MONITOR = "STATUS_MONITOR"


class PaymentStatus(enum.Enum):
    INITIAL = "INITIAL"
    PAYED = "PAYED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class PaymentLinkRecord:
    transaction_id: str
    originator_id: str
    end_point_id: str
    request_id: str | None = None


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


@dataclass(frozen=True, slots=True)
class StatusEventRecord:
    """One entry of an application's status history, from either source."""

    id: str
    application_id: str | None
    time: datetime
    status: ApplicationStatus
    source: StatusSource
    detail: str | None


@dataclass(frozen=True, slots=True)
class PaymentItemRecord:
    id: str
    description: str
    reference: str | None
    quantity: int
    total_cents: int


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
    reply_allowed: bool
    received_at: datetime
    read_at: datetime | None
    attachments: tuple[AttachmentRecord, ...]


@dataclass(frozen=True, slots=True)
class FileRecord:
    filename: str
    mime_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class RouteRecord:
    """Where a service is submitted for a region (FIT-Connect Routing API)."""

    destination_id: str
    destination_name: str | None
    submission_host: str


@dataclass(frozen=True, slots=True)
class DestinationRecord:
    """A destination's public data: its encryption key (JWK) and form schema per LeiKa key."""

    destination_id: str
    encryption_key: dict[str, Any] = field(repr=False)
    schema_uris: dict[str, str]


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """An attachment to submit; `file` is a seekable binary file (spooled, maybe on disk)."""

    filename: str
    mime_type: str
    size: int
    sha512: str
    file: BinaryIO = field(repr=False)


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """A created (announced) submission: its ids and one attachment id per upload, in order."""

    portal_id: str
    destination_id: str
    submission_id: str
    case_id: str
    attachment_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormRecord:
    """What a submission carries besides attachments: the form JSON and where replies go."""

    leika_key: str
    service_name: str
    data: bytes
    schema_uri: str
    postfach_ref: str | None


class Router(Protocol):
    """The FIT-Connect Routing API: the destination of a LeiKa key in a region, or None."""

    async def route(self, leika_key: str, ars: str) -> RouteRecord | None: ...


class SubmissionApi(Protocol):
    """A FIT-Connect Submission API (sender side); it encrypts what it sends."""

    portal: PortalRecord

    async def destination(self, destination_id: str) -> DestinationRecord: ...

    async def form_schema(self, uri: str) -> dict[str, Any] | None: ...

    async def create(
        self,
        destination: DestinationRecord,
        leika_key: str,
        service_name: str,
        attachments: int,
        case_id: str | None = None,
    ) -> SubmissionRecord: ...

    async def upload(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        attachment_id: str,
        upload: UploadRecord,
    ) -> None: ...

    async def submit(
        self,
        submission: SubmissionRecord,
        destination: DestinationRecord,
        form: FormRecord,
        uploads: Sequence[UploadRecord],
    ) -> None: ...

    async def delete(self, submission: SubmissionRecord) -> None: ...


class VirusScanner(Protocol):
    """A hook to scan uploads before they leave the gateway; returns a finding or None."""

    async def scan(self, upload: UploadRecord) -> str | None: ...


class CaseEvents(Protocol):
    """FIT-Connect event logs; SETs whose signature does not verify are dropped."""

    portal: PortalRecord

    async def events(self, case_id: str) -> list[StatusEventRecord]: ...

    async def latest(self, case_id: str) -> StatusEventRecord | None: ...


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
    """XBezahldienste; service-to-service credentials."""

    portal: PortalRecord

    async def transaction(self, link: PaymentLinkRecord) -> PaymentRecord | None: ...

    async def create(
        self, originator_id: str, end_point_id: str, request: PaymentRequestRecord
    ) -> PaymentRecord: ...

    async def find_by_request(
        self, originator_id: str, end_point_id: str, request_id: str
    ) -> PaymentRecord | None: ...


class EventKind(enum.Enum):
    APPLICATION_STATUS = "APPLICATION_STATUS"
    PAYMENT_STATUS = "PAYMENT_STATUS"
    INBOX_MESSAGE = "INBOX_MESSAGE"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A normalised live event for one viewer, as it travels through the broker.

    `audience` is a keyed hash of the viewer's subject (never the subject itself);
    `id` is the de-duplication key; `data` is JSON-safe and carries no message bodies.
    """

    id: str
    kind: EventKind
    audience: str
    portal_id: str
    data: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "kind": self.kind.value,
                "audience": self.audience,
                "portalId": self.portal_id,
                "data": self.data,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> EventRecord:
        item = json.loads(raw)
        return cls(
            id=str(item["id"]),
            kind=EventKind(item["kind"]),
            audience=str(item["audience"]),
            portal_id=str(item["portalId"]),
            data=dict(item["data"]),
        )


class EventStream(Protocol):
    """One subscriber's bounded queue: the oldest events are dropped when it is full."""

    dropped: int

    async def next(self) -> EventRecord: ...

    def close(self) -> None: ...


class Broker(Protocol):
    """Publishes events once (de-duplicated by id) to every subscriber of their audience."""

    async def publish(self, event: EventRecord) -> bool: ...

    def subscribe(self, audience: str, *, max_queue: int) -> EventStream: ...


class CaseRoutes(Protocol):
    """Which viewers follow a FIT-Connect case; callbacks carry only the case id."""

    async def register(
        self, portal_id: str, case_id: str, key: str, route: dict[str, Any]
    ) -> None: ...

    async def unregister(self, portal_id: str, case_id: str, key: str) -> None: ...

    async def lookup(self, portal_id: str, case_id: str) -> list[dict[str, Any]]: ...


class Lock(Protocol):
    """A lock with expiry, so only one replica polls an upstream resource at a time."""

    async def acquire(self, key: str, ttl: float) -> bool: ...
