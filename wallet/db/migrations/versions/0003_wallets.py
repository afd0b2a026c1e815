"""Wallets: holder wallets (pending or attached), their credentials, the access log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the wallet tables of ``wallet/db/models.py`` as of this revision."""
    op.create_table(
        "holder_wallet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("personal_code_hash", sa.String(length=64), nullable=True),
        sa.Column("email_hash", sa.String(length=64), nullable=True),
        sa.Column("holder_did", sa.String(length=512), nullable=False),
        sa.Column("data_key", sa.String(length=256), nullable=False),
        sa.Column("p256_key", sa.Text(), nullable=False),
        sa.Column("ed25519_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("holder_did"),
        sa.UniqueConstraint("personal_code_hash"),
    )
    op.create_index("ix_holder_wallet_account_id", "holder_wallet", ["account_id"])
    op.create_index("ix_holder_wallet_email_hash", "holder_wallet", ["email_hash"])

    op.create_table(
        "wallet_item",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=512), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("issuer_slug", sa.String(length=64), nullable=True),
        sa.Column("issuer_id", sa.String(length=512), nullable=False),
        sa.Column("title_lv", sa.String(length=512), nullable=True),
        sa.Column("title_en", sa.String(length=512), nullable=True),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("trust", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["wallet_id"], ["holder_wallet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wallet_id", "record_id", "format"),
    )
    op.create_index("ix_wallet_item_wallet_newest", "wallet_item", ["wallet_id", "issued_at", "id"])

    op.create_table(
        "access_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(["wallet_id"], ["holder_wallet.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_event_wallet_id", "access_event", ["wallet_id"])


def downgrade() -> None:
    """Drop every table of this revision."""
    for table in ("access_event", "wallet_item", "holder_wallet"):
        op.drop_table(table)
