"""What the journal hands out and takes in: frozen records, standard library only."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SubmissionState(enum.StrEnum):
    """PREPARED → ANNOUNCED → UPLOADED → SUBMITTED, or FAILED (terminal, frees the key).

    ANNOUNCED: POST /v1/submissions answered (ids known). UPLOADED: every announced
    attachment is uploaded. A retryable failure keeps the state reached and notes its reason.
    """

    PREPARED = "PREPARED"
    ANNOUNCED = "ANNOUNCED"
    UPLOADED = "UPLOADED"
    SUBMITTED = "SUBMITTED"
    FAILED = "FAILED"


FINISHED = (SubmissionState.SUBMITTED, SubmissionState.FAILED)
IN_FLIGHT = (SubmissionState.PREPARED, SubmissionState.ANNOUNCED, SubmissionState.UPLOADED)


class ClaimOutcome(enum.StrEnum):
    NEW = "NEW"  # a fresh attempt; the caller owns it
    RESUME = "RESUME"  # an unfinished attempt, now the caller's: continue from `entry`
    DONE = "DONE"  # submitted before: answer `entry` with duplicate: true
    BUSY = "BUSY"  # another live attempt holds the lease until `busy_until`
    MISMATCH = "MISMATCH"  # the key was used for a different request (fingerprint)


@dataclass(frozen=True, slots=True)
class AttachmentDigest:
    """What the journal keeps of an attachment: never its content or file name."""

    sha512: str
    size: int
    media_type: str


@dataclass(frozen=True, slots=True)
class Draft:
    """What is known when an attempt starts, before routing."""

    service_key: str  # LeiKa key
    service_name: str
    region: str  # ARS
    attachments: tuple[AttachmentDigest, ...] = ()


@dataclass(frozen=True, slots=True)
class AttachmentEntry:
    position: int
    attachment_id: str | None
    sha512: str
    size: int
    media_type: str
    uploaded: bool


@dataclass(frozen=True, slots=True)
class SubmissionEntry:
    subject_key: str
    client_mutation_id: str
    fingerprint: str
    state: SubmissionState
    failure_reason: str | None
    service_key: str
    service_name: str
    region: str
    portal_id: str | None
    destination_id: str | None
    submission_id: str | None
    case_id: str | None
    attachments: tuple[AttachmentEntry, ...]
    lease_owner: str | None
    lease_until: datetime | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def attachment_ids(self) -> tuple[str, ...]:
        return tuple(a.attachment_id for a in self.attachments if a.attachment_id)

    @property
    def uploaded_ids(self) -> frozenset[str]:
        return frozenset(
            a.attachment_id for a in self.attachments if a.uploaded and a.attachment_id
        )


@dataclass(frozen=True, slots=True)
class Ticket:
    """The right to move one attempt on: its row, its key and the lease owner that holds it."""

    entry_id: int
    owner: str
    subject_key: str
    client_mutation_id: str


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    entry: SubmissionEntry
    ticket: Ticket | None = None  # NEW and RESUME
    busy_until: datetime | None = None  # BUSY


@dataclass(frozen=True, slots=True)
class Announcement:
    """The answer of POST /v1/submissions, and the callback secret sent with it."""

    portal_id: str
    destination_id: str
    submission_id: str
    case_id: str
    attachment_ids: tuple[str, ...]
    callback_secret: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackTarget:
    """Where a submission's callbacks may come from, and the secret that signs them."""

    portal_id: str
    case_id: str
    secret: str = field(repr=False)

    def matches(self, portal_id: str, case_id: str) -> bool:
        """Whether a callback on `portal_id`'s hook naming `case_id` is this submission's."""
        return (self.portal_id, self.case_id) == (portal_id, case_id)


@dataclass(frozen=True, slots=True)
class CaseRoute:
    portal_id: str
    case_id: str
    subject_key: str
    audience: str
    data: dict[str, Any]
    updated_at: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return self.portal_id, self.case_id, self.subject_key


@dataclass(frozen=True, slots=True)
class AccountLink:
    subject_key: str
    upstream_id: str
    learned_at: datetime
    expires_at: datetime


class PaymentState(enum.StrEnum):
    """PENDING: recorded before the provider call; then XBezahldienste's own states."""

    PENDING = "PENDING"
    INITIAL = "INITIAL"
    PAYED = "PAYED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class PaymentLink:
    request_id: str
    subject_key: str
    application_id: str
    provider_id: str
    originator_id: str
    end_point_id: str
    transaction_id: str | None
    transaction_url: str | None
    state: PaymentState
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SubjectRecords:
    """What the journal holds for one subject, read together (`Journal.holdings`)."""

    entries: tuple[SubmissionEntry, ...]
    links: tuple[AccountLink, ...]
    payments: tuple[PaymentLink, ...]


@dataclass(frozen=True, slots=True)
class EventPosition:
    portal_id: str
    case_id: str
    position: int
    event_id: str
    updated_at: datetime
