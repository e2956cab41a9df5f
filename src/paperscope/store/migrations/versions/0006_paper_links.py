"""papers.links: the links a source gives for a paper (abs page, PDF, DOI)

Revision ID: 0006
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("papers", sa.Column("links", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("links")
