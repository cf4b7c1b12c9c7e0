"""The kernel context's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

calendar_day = sa.Table(
    "calendar_day",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("working", sa.Boolean, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("note", sa.String(200), nullable=False),
    sa.Column("set_by", sa.String(100), nullable=False),
    sa.Column("set_at", UTCDateTime, nullable=False),
)


calendar_year = sa.Table(
    "calendar_year",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("loaded_by", sa.String(100), nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
)


deadline = sa.Table(
    "deadline",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("owner_type", sa.String(40), nullable=False),
    sa.Column("owner_id", sa.String(64), nullable=False),
    sa.Column("rule_code", sa.String(40), nullable=False),
    sa.Column("basis", sa.String(40), nullable=False),
    sa.Column("start_event", sa.String(40), nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("pauses", sa.JSON, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False, index=True),
    sa.Column("provisional", sa.Boolean, nullable=False, index=True),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("computed_at", UTCDateTime, nullable=False),
    sa.Index("ix_deadline_owner", "owner_type", "owner_id"),
)


# SEC-3: append-only (triggers refuse UPDATE and DELETE) and hash-chained.
audit_event = sa.Table(
    "audit_event",
    metadata,
    sa.Column(
        "seq",
        ID,
        primary_key=True,
        autoincrement=False,
    ),
    # Stored as the exact ISO text the hash covers, so no database can round it differently.
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("unit_id", ID, nullable=True),
    sa.Column("action", sa.String(80), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("before_digest", sa.String(64), nullable=True),
    sa.Column("after_digest", sa.String(64), nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_event_object", "object_type", "object_id"),
)


# SEC-3: the chain's head at moments, signed under the audit key (the database's copy; the
# other copy is an append-only file outside it). Numbered 1, 2, 3 ... without gaps; number
# 1 is where the keyed chain starts. Append-only like the chain (triggers).
audit_checkpoint = sa.Table(
    "audit_checkpoint",
    metadata,
    sa.Column("number", ID, primary_key=True, autoincrement=False),
    sa.Column("seq", ID, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    # The exact ISO text the signature covers (as audit_event.occurred_at).
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("signature", sa.String(64), nullable=False),
)


# The transactional outbox: every domain event, written in the transaction of its change.
# Ids are assigned under the audit chain's lock (PostgreSQL) or SQLite's write lock, so
# they grow in commit order and a cursor over them never skips a late commit.
domain_event = sa.Table(
    "domain_event",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    # SHA-256 of the canonical payload: what stays when an erased object's payload is
    # purged (an entry deleted in error, Op(20)).
    sa.Column("payload_digest", sa.String(64), nullable=True),
    sa.Column("purged_at", UTCDateTime, nullable=True),
    sa.Index("ix_domain_event_object", "object_type", "object_id"),
)

# Durable cursors of the outbox consumers (webhooks, federation, feeds), one per name:
# the id of the last event the consumer has finished with (at-least-once delivery).
outbox_cursor = sa.Table(
    "outbox_cursor",
    metadata,
    sa.Column("consumer", sa.String(80), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)


# Watermarks of the sweep's incremental steps (LST-6 reads records verified since the last).
sweep_state = sa.Table(
    "sweep_state",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(100), nullable=False),
)


# Who runs a sweep step now, and until when (issue 8). A lease row, not the SQLite write
# lock: the chunked sweep releases that lock between chunks so API writers get in, and a
# step must still not run twice at once. Times are wall-clock UTC, never the test clock.
sweep_lease = sa.Table(
    "sweep_lease",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("holder", sa.String(100), nullable=False),
    sa.Column("acquired_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)
