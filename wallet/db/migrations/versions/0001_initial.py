"""Initial schema: key history, API tokens, credential records and envelopes, audit.

Revision ID: 0001
Revises:
Create Date: 2026-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the tables of ``wallet/db/models.py`` as of this revision."""
    op.create_table(
        "issuer_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=512), nullable=False),
        sa.Column("alg", sa.String(length=16), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=True),
        sa.Column("compromised_since", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kid"),
    )
    op.create_index("ix_issuer_key_issuer_slug", "issuer_key", ["issuer_slug"])
    op.create_index(
        "uq_issuer_key_one_current",
        "issuer_key",
        ["issuer_slug"],
        unique=True,
        sqlite_where=sa.text("state = 'current'"),
        postgresql_where=sa.text("state = 'current'"),
    )

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_slug", "name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_issuer_slug", "api_token", ["issuer_slug"])

    op.create_table(
        "credential_record",
        sa.Column("id", sa.String(length=512), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("learner_hash", sa.String(length=64), nullable=True),
        sa.Column("learner_email_hash", sa.String(length=64), nullable=True),
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("issuer_slug", "type_name", "learner_hash", "batch_id", "created_at"):
        op.create_index(f"ix_credential_record_{column}", "credential_record", [column])

    op.create_table(
        "credential_envelope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=512), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("kid", sa.String(length=512), nullable=False),
        sa.Column("iat", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["credential_record.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id", "format"),
    )
    op.create_index(
        "ix_credential_envelope_credential_id", "credential_envelope", ["credential_id"]
    )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=512), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def downgrade() -> None:
    """Drop every table of this revision."""
    for table in ("audit_event", "credential_envelope", "credential_record", "api_token"):
        op.drop_table(table)
    op.drop_table("issuer_key")
