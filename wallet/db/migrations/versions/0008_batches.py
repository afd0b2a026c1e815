"""Batches: issuance batches, their evidence, the delivery outbox, and record links.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the batch tables and the record columns as ``wallet/db/models.py`` has them."""
    with op.batch_alter_table("credential_record") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("replaces", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("replaced_by", sa.String(length=512), nullable=True))
        batch.create_unique_constraint(
            "uq_credential_external_id", ["issuer_slug", "external_id"]
        )
    op.create_table(
        "issuance_batch",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("source_format", sa.String(length=16), nullable=False),
        sa.Column("formats", sa.String(length=32), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("runner", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("signatures", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "issuer_slug", "idempotency_key", name="uq_batch_idempotency_key"
        ),
    )
    op.create_index("ix_issuance_batch_issuer_slug", "issuance_batch", ["issuer_slug"])
    op.create_table(
        "batch_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["issuance_batch.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_batch_evidence_batch_id", "batch_evidence", ["batch_id"])
    op.create_table(
        "delivery_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seal_id", sa.String(length=32), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=512), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=True),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["wallet_id"], ["holder_wallet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seal_id"),
    )
    op.create_index("ix_delivery_outbox_wallet_id", "delivery_outbox", ["wallet_id"])


def downgrade() -> None:
    """Drop the batch tables and the record columns."""
    op.drop_table("delivery_outbox")
    op.drop_table("batch_evidence")
    op.drop_table("issuance_batch")
    with op.batch_alter_table("credential_record") as batch:
        batch.drop_constraint("uq_credential_external_id", type_="unique")
        batch.drop_column("replaced_by")
        batch.drop_column("replaces")
        batch.drop_column("external_id")
