"""Subscription tables: subscriptions, papers already mailed, the outbox, suppressed
addresses and the log of subscribe requests (for rate limits)."""

from __future__ import annotations

import sqlalchemy as sa

from paperscope.store.tables import metadata

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # trending | search | author | category
    sa.Column("frequency", sa.String(8), nullable=False),  # daily | weekly
    sa.Column("query", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("category", sa.String(64)),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("hour", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | active | unsubscribed
    # One subscription per (address, kind, target): a repeated request finds the same row.
    sa.Column("dedupe_key", sa.String(64), nullable=False, unique=True),
    # Signed into every token: a deleted row's tokens never act on a later row with its id.
    sa.Column("nonce", sa.String(32), nullable=False),
    sa.Column("user_id", sa.Integer),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
    sa.Column("last_period", sa.String(32)),
)

sent_papers = sa.Table(
    "sent_papers",
    metadata,
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("paper_id", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(32), nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("period", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # confirm | digest
    sa.Column("to_addr", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("message", sa.LargeBinary, nullable=False),  # the exact bytes every attempt sends
    sa.Column("message_id", sa.String(255), nullable=False, unique=True),
    # queued | sending | sent | failed | cancelled (unsubscribed or suppressed while it waited)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("claimed_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    # A period is composed once: a second composition of it inserts nothing.
    sa.UniqueConstraint("subscription_id", "period", name="uq_outbox_subscription_period"),
    sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),
)

suppressed = sa.Table(
    "suppressed",
    metadata,
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("permanent_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("suppressed_at", sa.DateTime(timezone=True)),
)

subscribe_attempts = sa.Table(
    "subscribe_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email_hash", sa.String(64), nullable=False, index=True),
    sa.Column("client", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
