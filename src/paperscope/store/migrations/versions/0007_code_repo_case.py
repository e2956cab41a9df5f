"""code_repos: one row per repository whatever its letter case (the first spelling kept)

Stores ingested before ingest folded letter case kept QizhiPei/MathFusion beside
QizhiPei/mathfusion. Each paper keeps its earliest row of a repo; the rest go.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        DELETE FROM code_repos
        WHERE id IN (
            SELECT later.id FROM code_repos AS later
            JOIN code_repos AS earlier
              ON earlier.paper_id = later.paper_id
             AND lower(earlier.url) = lower(later.url)
             AND earlier.id < later.id
        )
        """
    )


def downgrade() -> None:
    pass  # the dropped rows were duplicates; nothing to restore
