"""The journal: submissions and their attachments, case routes, account and payment links,
event positions and seen events.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _row_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", _row_id(), primary_key=True, autoincrement=True),
        sa.Column("subject_key", sa.String(128), nullable=False),
        sa.Column("client_mutation_id", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failure_reason", sa.String(64)),
        sa.Column("service_key", sa.String(64), nullable=False),
        sa.Column("service_name", sa.String(500), nullable=False),
        sa.Column("region", sa.String(12), nullable=False),
        sa.Column("portal_id", sa.String(255)),
        sa.Column("destination_id", sa.String(64)),
        sa.Column("submission_id", sa.String(64)),
        sa.Column("case_id", sa.String(64)),
        sa.Column("callback_secret", sa.LargeBinary()),
        sa.Column("secret_key_id", sa.String(32)),
        sa.Column("lease_owner", sa.String(128)),
        _time("lease_until", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _time("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.UniqueConstraint(
            "subject_key",
            "client_mutation_id",
            name="uq_submissions_subject_key_client_mutation_id",
        ),
        sa.CheckConstraint(
            "state IN ('PREPARED', 'ANNOUNCED', 'UPLOADED', 'SUBMITTED', 'FAILED')",
            name="ck_submissions_state",
        ),
    )
    op.create_index("ix_submissions_submission_id", "submissions", ["submission_id"])
    op.create_index("ix_submissions_case_id", "submissions", ["case_id"])
    op.create_index("ix_submissions_finished_at", "submissions", ["finished_at"])
    op.create_table(
        "submission_attachments",
        sa.Column("entry_id", _row_id(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.String(64)),
        sa.Column("sha512", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        _time("uploaded_at", nullable=True),
        sa.PrimaryKeyConstraint("entry_id", "position", name="pk_submission_attachments"),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["submissions.id"],
            name="fk_submission_attachments_entry_id_submissions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "case_routes",
        sa.Column("portal_id", sa.String(255), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("subject_key", sa.String(128), nullable=False),
        sa.Column("audience", sa.String(128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("portal_id", "case_id", "subject_key", name="pk_case_routes"),
    )
    op.create_index("ix_case_routes_subject_key", "case_routes", ["subject_key"])
    op.create_table(
        "account_links",
        sa.Column("subject_key", sa.String(128), nullable=False),
        sa.Column("upstream_id", sa.String(255), nullable=False),
        _time("learned_at"),
        _time("expires_at"),
        sa.PrimaryKeyConstraint("subject_key", "upstream_id", name="pk_account_links"),
    )
    op.create_index("ix_account_links_expires_at", "account_links", ["expires_at"])
    op.create_table(
        "payment_links",
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("subject_key", sa.String(128), nullable=False),
        sa.Column("application_id", sa.String(255), nullable=False),
        sa.Column("provider_id", sa.String(255), nullable=False),
        sa.Column("originator_id", sa.String(255), nullable=False),
        sa.Column("end_point_id", sa.String(255), nullable=False),
        sa.Column("transaction_id", sa.String(255)),
        sa.Column("transaction_url", sa.String(2048)),
        sa.Column("state", sa.String(16), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("request_id", name="pk_payment_links"),
    )
    op.create_index("ix_payment_links_subject_key", "payment_links", ["subject_key"])
    op.create_table(
        "event_positions",
        sa.Column("portal_id", sa.String(255), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("portal_id", "case_id", name="pk_event_positions"),
    )
    op.create_table(
        "seen_events",
        sa.Column("event_id", sa.String(255), nullable=False),
        _time("seen_at"),
        sa.PrimaryKeyConstraint("event_id", name="pk_seen_events"),
    )
    op.create_index("ix_seen_events_seen_at", "seen_events", ["seen_at"])


def downgrade() -> None:
    op.drop_table("seen_events")
    op.drop_table("event_positions")
    op.drop_table("payment_links")
    op.drop_table("account_links")
    op.drop_table("case_routes")
    op.drop_table("submission_attachments")
    op.drop_table("submissions")
