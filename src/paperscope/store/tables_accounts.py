"""Accounts' table: rate-limit counters, shared by every server process through the store."""

from __future__ import annotations

import sqlalchemy as sa

from paperscope.store.tables import metadata

# Fixed-window counters: one row per (action, who, window). Kept in the store rather than in
# process memory so that a limit holds across `serve --workers N` and across app servers.
rate_limit_hits = sa.Table(
    "rate_limit_hits",
    metadata,
    sa.Column("bucket", sa.String(32), primary_key=True),
    sa.Column("subject", sa.String(255), primary_key=True),
    sa.Column("window_start", sa.BigInteger, primary_key=True),  # unix seconds
    sa.Column("hits", sa.Integer, nullable=False),
)
