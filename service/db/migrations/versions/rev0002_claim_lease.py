"""Claim lease on submissions: who grades a running submission and until when.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable claim columns (plain ADD COLUMN on SQLite and PostgreSQL).

    Rows already ``running`` get no lease, which counts as expired: they are re-queued.
    """
    op.add_column("submissions", sa.Column("claimed_by", sa.String(64), nullable=True))
    op.add_column(
        "submissions", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    """Drop the claim columns.

    Native DROP COLUMN (SQLite >= 3.35), not batch mode: a batch rebuild drops the
    ``submissions`` table, which with foreign keys on would cascade-delete every result.
    """
    op.drop_column("submissions", "lease_until")
    op.drop_column("submissions", "claimed_by")
