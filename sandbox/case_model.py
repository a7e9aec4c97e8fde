"""Records of the citizens' cases (Anträge, payments, FIT-Connect events, Postfach) and their JSON.

Times are Unix seconds (formatted only when served): generation of 10,000 citizens creates
a few hundred thousand of them, and integers keep that fast. Records the upstreams change
(payment links, read marks, appended events, payment statuses) are mutable; the rest is not.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.auth import iso
from sandbox.destination import destination_id

EVENT_BASE = "https://schema.fitko.de/fit-connect/events/"
JSON = dict[str, Any]


def iso_millis(timestamp: int) -> str:
    """status_v6 `createdDate` as php-fitconnect writes it: `2025-03-01T10:15:30.000Z`."""
    return str(iso(timestamp)).replace("Z", ".000Z")


VERSION_4 = (0x4 << 76) | (0x8 << 60)  # RFC 4122 version and variant bits
CLEARED = ~((0xF << 76) | (0xC << 60))


def new_id(rng: random.Random) -> str:
    """A random (version 4) UUID from `rng`; formatted by hand, the hot spot of generation."""
    h = f"{(rng.getrandbits(128) & CLEARED) | VERSION_4:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(slots=True)
class PaymentLink:
    transaction_id: str
    originator_id: str
    end_point_id: str
    request_id: str

    def as_json(self) -> JSON:
        return {
            "transactionId": self.transaction_id,
            "originatorId": self.originator_id,
            "endPointId": self.end_point_id,
            "requestId": self.request_id,
        }


@dataclass(slots=True)
class Transaction:
    """An XBezahldienste PaymentTransaction held by one portal's payments upstream."""

    portal_id: str
    originator_id: str
    end_point_id: str
    transaction_id: str
    request: JSON  # the PaymentRequest as posted, echoed back unchanged
    status: str = "INITIAL"
    status_detail: str = "Zahlung angelegt, noch nicht bezahlt"
    reference: str | None = None  # Kassenzeichen, known once paid
    timestamp: str | None = None
    method: str | None = None
    method_detail: str | None = None

    def link(self) -> PaymentLink:
        return PaymentLink(
            self.transaction_id, self.originator_id, self.end_point_id, self.request["requestId"]
        )


@dataclass(slots=True)
class Event:
    name: str  # create | submit | notify | forward | accept | reject | delete, or <x>-reply
    at: int
    jti: str
    problems: tuple[JSON, ...] = ()
    reply_id: str | None = None  # reply events (SET `sub` reply:<id>): name is <x>-reply

    @property
    def uri(self) -> str:
        if self.reply_id is not None:
            return f"{EVENT_BASE}{self.name}"
        return f"{EVENT_BASE}{self.name}-submission"

    def payload(self) -> JSON:
        if self.name == "reject":
            return {"problems": list(self.problems)}
        if self.name in ("submit", "accept"):
            # JWE authentication tags of the encrypted parts, derived so they stay stable.
            tag = hashlib.sha256(self.jti.encode()).hexdigest()
            return {"authenticationTags": {"metadata": tag[:22], "data": tag[22:44]}}
        return {}


@dataclass(slots=True)
class StatusUpdate:
    id: str
    status: str
    at: int
    details: str
    additional: str | None = None


@dataclass(slots=True)
class Application:
    application_id: str
    case_id: str
    submission_id: str
    portal_id: str
    subject: str
    leika_key: str
    service_name: str
    sender: str
    reference: str
    created_at: int
    submitted_at: int
    payments: list[PaymentLink] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # The per-submission callback (url, secret) of create-submission, if the sender gave one.
    callback: tuple[str, str] | None = None

    @property
    def updated_at(self) -> int:
        last = [self.submitted_at]
        last += [self.events[-1].at] if self.events else []
        last += [self.statuses[-1].at] if self.statuses else []
        return max(last)

    def as_json(self) -> JSON:
        return {
            "applicationId": self.application_id,
            "caseId": self.case_id,
            "submissionId": self.submission_id,
            "destinationId": destination_id(self.portal_id),
            "leikaKey": self.leika_key,
            "serviceName": self.service_name,
            "reference": self.reference,
            "createdAt": iso(self.created_at),
            "submittedAt": iso(self.submitted_at),
            "updatedAt": iso(self.updated_at),
            "payments": [link.as_json() for link in self.payments],
        }

    def status_json(self, update: StatusUpdate) -> JSON:
        """A ZBP status_v6 object as published (php-fitconnect EnvelopeBuilder::serializeState):
        optional members are left out when empty; limits statusDetails ≤ 50,
        additionalInformation ≤ 100, reference ≤ 50, names ≤ 100."""
        body: JSON = {
            "applicationId": self.application_id,
            "status": update.status,
            "publicServiceName": {"de": self.service_name[:100]},
            "senderName": self.sender[:100],
            "createdDate": iso_millis(update.at),
            "statusDetails": {"de": update.details[:50]},
        }
        if update.additional:
            body["additionalInformation"] = {"de": update.additional[:100]}
        if self.reference:
            body["reference"] = self.reference[:50]
        return body


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    filename: str
    mime_type: str
    content: bytes
    sha512: str

    def content_json(self) -> JSON:
        """The message_v6 attachment entry: {filename, sha512sum, contentLength}."""
        return {
            "filename": self.filename,
            "sha512sum": self.sha512,
            "contentLength": len(self.content),
        }

    def envelope_json(self) -> JSON:
        """The mailbox's own data on it [I]: the id to download it by, its media type."""
        return {"attachmentId": self.id, "sha512sum": self.sha512, "mimeType": self.mime_type}


@dataclass(slots=True)
class Message:
    id: str
    portal_id: str
    mailbox: str  # the recipient's Postkorb-Handle
    level: int  # stork_qaa_level needed to open it
    sender: str
    sender_url: str
    title: str
    content: str
    service: str
    application_id: str | None
    reference: str | None
    reply_address: str | None
    is_notice: bool
    received_at: int
    read_at: int | None
    attachments: tuple[Attachment, ...] = ()

    def message_v6(self) -> JSON:
        """The ZBP message_v6 content as an authority sends it (php-fitconnect
        EnvelopeBuilder::serializeMessage): optional members only when set."""
        body: JSON = {
            "stork_qaa_level": self.level,
            "mailboxUuid": self.mailbox,
            "sender": self.sender[:255],
            "title": self.title[:1024],
            "content": self.content,
            "service": self.service[:255],
        }
        optional = {
            "applicationId": self.application_id,
            "replyAddress": self.reply_address,
            "reference": self.reference,
            "senderUrl": self.sender_url or None,
        }
        body |= {k: v for k, v in optional.items() if v is not None}
        if self.attachments:
            body["attachments"] = [a.content_json() for a in self.attachments]
        return body

    def as_json(self) -> JSON:
        """The mailbox entry [I]: envelope (id, times, notice flag, attachment ids) + message_v6."""
        return {
            "id": self.id,
            "receivedAt": iso(self.received_at),
            "readAt": iso(self.read_at),
            "isNotice": self.is_notice,
            "message": self.message_v6(),
            "attachments": [a.envelope_json() for a in self.attachments],
        }


@dataclass(slots=True)
class Cases:
    """One citizen's data: per portal, applications and messages newest first."""

    applications: dict[str, list[Application]] = field(default_factory=dict)
    messages: dict[str, list[Message]] = field(default_factory=dict)
    transactions: list[Transaction] = field(default_factory=list)
