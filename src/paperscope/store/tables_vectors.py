"""The vector stage's table: one embedding per paper, stamped with its model and change seq."""

from __future__ import annotations

import sqlalchemy as sa

from paperscope.store.tables import metadata

# One row per paper: a model change overwrites every row (and a query only ever loads the
# rows of one model id), so vectors of two models never mix. ``seq`` is the paper's change
# sequence at the time it was embedded: a paper whose seq moved on is pending again.
embeddings = sa.Table(
    "embeddings",
    metadata,
    sa.Column(
        "paper_id",
        sa.String(64),
        sa.ForeignKey("papers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("model_id", sa.String(255), nullable=False, index=True),
    sa.Column("dim", sa.Integer, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
)
