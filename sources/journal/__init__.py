"""The journal: the gateway's own record per viewer, in a relational database.

PostgreSQL (asyncpg) in production and for several replicas; a SQLite file (aiosqlite) as
the embedded default for one replica. Migrations ship with the package (`migrate`).
Self-contained: it imports nothing from the rest of sources/ and never sees names,
birthdates, addresses, form data or attachment content. See docs/journal.md.
"""

from __future__ import annotations

from .errors import (
    JournalConfigError,
    JournalConflictError,
    JournalError,
    JournalNotMigratedError,
    JournalSecretError,
    JournalUnavailableError,
)
from .migrate import current, downgrade, head, upgrade
from .observe import NO_JOURNAL_OBSERVER, JournalObserver
from .records import (
    AccountLink,
    Announcement,
    AttachmentDigest,
    AttachmentEntry,
    CallbackTarget,
    CaseRoute,
    Claim,
    ClaimOutcome,
    Draft,
    EventPosition,
    PaymentLink,
    PaymentState,
    SubjectRecords,
    SubmissionEntry,
    SubmissionState,
    Ticket,
)
from .secretbox import SecretBox
from .store import Journal
from .urls import journal_url

__all__ = [
    "NO_JOURNAL_OBSERVER",
    "AccountLink",
    "Announcement",
    "AttachmentDigest",
    "AttachmentEntry",
    "CallbackTarget",
    "CaseRoute",
    "Claim",
    "ClaimOutcome",
    "Draft",
    "EventPosition",
    "Journal",
    "JournalConfigError",
    "JournalConflictError",
    "JournalError",
    "JournalNotMigratedError",
    "JournalObserver",
    "JournalSecretError",
    "JournalUnavailableError",
    "PaymentLink",
    "PaymentState",
    "SecretBox",
    "SubjectRecords",
    "SubmissionEntry",
    "SubmissionState",
    "Ticket",
    "current",
    "downgrade",
    "head",
    "journal_url",
    "upgrade",
]
