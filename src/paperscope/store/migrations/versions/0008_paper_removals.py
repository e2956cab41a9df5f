"""paper_removals: papers that left the store, with the change seq the index follows

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_removals",
        sa.Column("paper_id", sa.String(64), primary_key=True),
        sa.Column("merged_into", sa.String(64)),
        sa.Column("seq", sa.BigInteger, nullable=False, index=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("paper_removals")
