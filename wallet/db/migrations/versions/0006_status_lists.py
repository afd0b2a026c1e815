"""Status lists: one place per issued record, its state, and the lists' versions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``status_list`` and give ``credential_record`` its status slot and state."""
    op.create_table(
        "status_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("allocated", sa.BigInteger(), nullable=False),
        sa.Column("permutation_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_status_list_issuer_slug", "status_list", ["issuer_slug"])
    # Batch mode: SQLite cannot add constraints to an existing table in place.
    with op.batch_alter_table("credential_record") as batch:
        batch.add_column(sa.Column("status_list_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("status_index", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("status_changed_at", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            "fk_credential_record_status_list", "status_list", ["status_list_id"], ["id"]
        )
        batch.create_unique_constraint(
            "uq_credential_status_slot", ["status_list_id", "status_index"]
        )
    op.create_index(
        "ix_credential_status_changed",
        "credential_record",
        ["status_list_id"],
        sqlite_where=sa.text("status <> 0"),
        postgresql_where=sa.text("status <> 0"),
    )


def downgrade() -> None:
    """Drop the status columns and ``status_list``."""
    op.drop_index("ix_credential_status_changed", table_name="credential_record")
    with op.batch_alter_table("credential_record") as batch:
        batch.drop_constraint("uq_credential_status_slot", type_="unique")
        batch.drop_constraint("fk_credential_record_status_list", type_="foreignkey")
        batch.drop_column("status_changed_at")
        batch.drop_column("status")
        batch.drop_column("status_index")
        batch.drop_column("status_list_id")
    op.drop_table("status_list")
