"""The measures context's tables for notices to units and their webhooks (MEA-5, LST-9;
issue 11): endpoints, subscriptions, the notices themselves, and each notice's delivery to
each endpoint with every move of its lifecycle (the delivery log)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

webhook_endpoint = sa.Table(
    "webhook_endpoint",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    # Standard Webhooks: `whsec_` + base64 of 32 random bytes; shown once, on creation.
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # active / disabled
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("disabled_at", UTCDateTime, nullable=True),
)

webhook_subscription = sa.Table(
    "webhook_subscription",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),  # designation
    sa.Column("field", sa.String(40), nullable=True),  # None: every field
    sa.Column("list_type", sa.String(20), nullable=True),  # None: every list
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Index("ix_webhook_subscription_kind", "kind", "field", "list_type"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)

unit_notice = sa.Table(
    "unit_notice",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),  # stop / designation
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_unit_notice_unit", "unit_id", "id"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)

webhook_delivery = sa.Table(
    "webhook_delivery",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("notice_id", ID, sa.ForeignKey("unit_notice.id"), nullable=False, index=True),
    sa.Column("endpoint_id", ID, sa.ForeignKey("webhook_endpoint.id"), nullable=False),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    # When the 24 hours of retries began: the first queueing, or the last redelivery.
    sa.Column("window_from", UTCDateTime, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=True),
    sa.Column("last_attempt_at", UTCDateTime, nullable=True),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)

webhook_delivery_move = sa.Table(
    "webhook_delivery_move",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("delivery_id", ID, sa.ForeignKey("webhook_delivery.id"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("note", sa.String(500), nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
)
