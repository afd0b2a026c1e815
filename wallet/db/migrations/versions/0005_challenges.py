"""Verifier challenges.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the ``challenge`` table."""
    op.create_table(
        "challenge",
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("value"),
    )
    op.create_index("ix_challenge_expires_at", "challenge", ["expires_at"])


def downgrade() -> None:
    """Drop the ``challenge`` table."""
    op.drop_table("challenge")
