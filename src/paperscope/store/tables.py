"""The store's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create them.

Later stages add their own tables in their own ``tables_*`` module on this same ``metadata``,
and their own migration.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# A single counter row per name. Each write transaction that changes papers takes the next
# values under this row's lock, so the change sequence grows in commit order and the index
# can follow it (``WHERE seq > watermark``).
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

papers = sa.Table(
    "papers",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("arxiv_id", sa.String(64), index=True),
    sa.Column("version", sa.Integer),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_key", sa.String(255), nullable=False, index=True),
    sa.Column("abstract", sa.Text, nullable=False),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("primary_category", sa.String(64)),
    sa.Column("published", sa.DateTime(timezone=True)),
    sa.Column("updated", sa.DateTime(timezone=True)),
    sa.Column("doi", sa.Text),
    sa.Column("journal_ref", sa.Text),
    sa.Column("comments", sa.Text),
    sa.Column("license", sa.Text),
    sa.Column("submitter", sa.Text),
    sa.Column("project_page", sa.Text),
    sa.Column("links", sa.JSON),  # the source's links: [{"rel", "href", "title", "type"}]
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

code_repos = sa.Table(
    "code_repos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "paper_id", sa.String(64), sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("host", sa.String(64), nullable=False),
    sa.Column("stars", sa.Integer),
    sa.Column("checked_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("paper_id", "url", name="uq_code_repos_paper_url"),
)

listings = sa.Table(
    "listings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "paper_id", sa.String(64), sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("listing_date", sa.Date, nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("submitted_by", sa.Text),
    sa.Column("imported_upvotes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("imported_comments", sa.Integer, nullable=False, server_default="0"),
    sa.Column("organization", sa.Text),
    sa.Column("thumbnail", sa.Text),
    sa.Column("source", sa.String(32), nullable=False),
    sa.UniqueConstraint("paper_id", "listing_date", name="uq_listings_paper_day"),
)

# Papers that left the store, each with the change-sequence value of its leaving, so that the
# index (which follows ``seq``) removes them too. Today: a derived-id paper folded into its
# arXiv twin (``merged_into``).
paper_removals = sa.Table(
    "paper_removals",
    metadata,
    sa.Column("paper_id", sa.String(64), primary_key=True),
    sa.Column("merged_into", sa.String(64)),
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
)
