"""The journal's tables (SQLAlchemy Core). The migrations in migrations/versions build the
same schema; a test compares the two on PostgreSQL and SQLite.

Personal data: rows are keyed by the caller's pseudonymous subject key (an HMAC of the
subject); no names, birthdates, addresses, form data or attachment content are stored.
Callback secrets are stored encrypted (see secrets.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)

from .records import SubmissionState

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps naive text; PostgreSQL timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the journal stores aware datetimes only")
        value = value.astimezone(UTC)
        # SQLite compares the stored text: one format, no offset, so < and > stay right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row_id() -> Any:
    # SQLite numbers rows only for INTEGER PRIMARY KEY, not BIGINT.
    return BigInteger().with_variant(Integer(), "sqlite")


SUBJECT = 128  # a hex HMAC-SHA256 is 64; room for a prefix or another hash
STATES = ", ".join(f"'{s.value}'" for s in SubmissionState)

submissions = Table(
    "submissions",
    metadata,
    Column("id", _row_id(), primary_key=True, autoincrement=True),
    Column("subject_key", String(SUBJECT), nullable=False),
    Column("client_mutation_id", String(255), nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    # FAILED: why it ended; any other state: the last retryable failure, if any.
    Column("failure_reason", String(64)),
    Column("service_key", String(64), nullable=False),  # LeiKa key
    Column("service_name", String(500), nullable=False),
    Column("region", String(12), nullable=False),  # ARS
    Column("portal_id", String(255)),
    Column("destination_id", String(64)),
    Column("submission_id", String(64), index=True),
    Column("case_id", String(64), index=True),
    Column("callback_secret", LargeBinary),  # AES-GCM nonce + ciphertext + tag
    Column("secret_key_id", String(32)),
    Column("lease_owner", String(128)),
    Column("lease_until", UtcDateTime()),
    Column("attempts", Integer, nullable=False),
    Column("version", Integer, nullable=False),  # compare-and-set on every change
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), index=True),
    UniqueConstraint("subject_key", "client_mutation_id"),
    CheckConstraint(f"state IN ({STATES})", name="state"),
)

attachments = Table(
    "submission_attachments",
    metadata,
    Column(
        "entry_id",
        _row_id(),
        ForeignKey("submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("attachment_id", String(64)),  # FIT-Connect's id, known once announced
    Column("sha512", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(255), nullable=False),
    Column("uploaded_at", UtcDateTime()),
)

case_routes = Table(
    "case_routes",
    metadata,
    Column("portal_id", String(255), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("subject_key", String(SUBJECT), primary_key=True),
    Column("audience", String(128), nullable=False),
    Column("data", JSON, nullable=False),  # what an event needs to render the application
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_case_routes_subject_key", "subject_key"),
)

account_links = Table(
    "account_links",
    metadata,
    Column("subject_key", String(SUBJECT), primary_key=True),
    Column("upstream_id", String(255), primary_key=True),
    Column("learned_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)

payment_links = Table(
    "payment_links",
    metadata,
    Column("request_id", String(64), primary_key=True),  # XBezahldienste requestId (≤ 36)
    Column("subject_key", String(SUBJECT), nullable=False, index=True),
    Column("application_id", String(255), nullable=False),
    Column("provider_id", String(255), nullable=False),
    Column("originator_id", String(255), nullable=False),
    Column("end_point_id", String(255), nullable=False),
    Column("transaction_id", String(255)),
    Column("transaction_url", String(2048)),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

event_positions = Table(
    "event_positions",
    metadata,
    Column("portal_id", String(255), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("event_id", String(255), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

seen_events = Table(
    "seen_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("seen_at", UtcDateTime(), nullable=False, index=True),
)


def check_lengths(table: Table, values: Mapping[str, Any]) -> None:
    """ValueError for a text longer than its column, before PostgreSQL refuses it as a
    database error (or SQLite silently keeps it)."""
    for name, value in values.items():
        limit = getattr(table.c[name].type, "length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise ValueError(f"{table.name}.{name} is limited to {limit} characters")
