"""Tables (SQLAlchemy Core). The migrations under store/migrations create exactly these;
a test compares the two so that they never drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, on SQLite (which keeps no zone) too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


unit = sa.Table(
    "unit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("region", sa.String(6), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

app_user = sa.Table(
    "app_user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

api_token = sa.Table(
    "api_token",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    # "api" for machine clients, "session" for a person's login
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    # SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough at rest.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)

subject = sa.Table(
    "subject",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("id_type", sa.String(40), nullable=False),
    sa.Column("id_number", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("lei", sa.String(20), nullable=True, unique=True),
    sa.Column("region", sa.String(6), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # SUB-2: one subject per matching identifier, enforced by the database.
    sa.UniqueConstraint("id_type", "id_number"),
    # Bulk matching looks numbers up by themselves (see services/records.py).
    sa.Index("ix_subject_id_number", "id_number"),
)

subject_link = sa.Table(
    "subject_link",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "organization_id", sa.Integer, sa.ForeignKey("subject.id"), nullable=False, index=True
    ),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

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
    sa.Column("id", sa.Integer, primary_key=True),
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
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    # Stored as the exact ISO text the hash covers, so no database can round it differently.
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("unit_id", sa.Integer, nullable=True),
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


# --- credit information (CAT, ING, DIS, PRI) ---------------------------------------------

catalog_item = sa.Table(
    "catalog_item",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("content_class", sa.String(40), nullable=False),
    sa.Column("info_kind", sa.String(30), nullable=False),
    sa.Column("providing_unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("subject_kinds", sa.JSON, nullable=False),
    sa.Column("character", sa.String(20), nullable=False),
    sa.Column("disclosure", sa.String(30), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("information_items", sa.Text, nullable=False),
    sa.Column("template", sa.JSON, nullable=False),
    sa.Column("reduces_rights", sa.Boolean, nullable=False),
    # ING-5, STD-4, ING-4: how records of this item are classified.
    sa.Column("untrustworthy_class", sa.String(20), nullable=True),
    sa.Column("serious_class", sa.String(20), nullable=True),
    sa.Column("fee_arrears", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("expert_assessment", sa.Text, nullable=True),
    sa.Column("comment_start", sa.Date, nullable=True),
    sa.Column("comment_end", sa.Date, nullable=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("updated_on", sa.Date, nullable=False),
    sa.Column("approved_by", sa.String(100), nullable=True),
    sa.Column("approved_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("code", "version"),
)

ingest_batch = sa.Table(
    "ingest_batch",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("catalog_item_id", sa.Integer, sa.ForeignKey("catalog_item.id"), nullable=False),
    sa.Column("batch_key", sa.String(100), nullable=True),
    sa.Column("content_digest", sa.String(64), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("filename", sa.String(255), nullable=True),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    # ING-3: the same batch twice stores nothing new, by its id or by its content.
    sa.UniqueConstraint("unit_id", "batch_key"),
    sa.UniqueConstraint("unit_id", "catalog_item_id", "content_digest"),
)

record = sa.Table(
    "record",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("catalog_item_id", sa.Integer, sa.ForeignKey("catalog_item.id"), nullable=False),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("providing_unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batch.id"), nullable=True, index=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("self_declared", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("character", sa.String(20), nullable=False),
    sa.Column("disclosure", sa.String(30), nullable=False),
    sa.Column("decision_date", sa.Date, nullable=True),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("verify_due", sa.Date, nullable=False, index=True),
    sa.Column("verified_at", UTCDateTime, nullable=True),
    sa.Column("returned_reasons", sa.JSON, nullable=True),
    sa.Column("withdrawn_at", UTCDateTime, nullable=True),
    sa.Column("withdraw_reason", sa.Text, nullable=True),
    # Classification (ING-4, ING-5, STD-4) and disclosure (DIS-2, RST-6).
    sa.Column("untrustworthy_class", sa.String(20), nullable=True),
    sa.Column("serious_class", sa.String(20), nullable=True),
    sa.Column("severity", sa.String(20), nullable=True),
    sa.Column("final_on", sa.Date, nullable=True),
    sa.Column("review_outcome", sa.String(20), nullable=True),
    sa.Column("discipline_block", sa.Text, nullable=True),
    sa.Column("display_until", sa.Date, nullable=True, index=True),
    sa.Column("archived_at", UTCDateTime, nullable=True),
    sa.Column("archive_reason", sa.String(40), nullable=True),
)

notification = sa.Table(
    "notification",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("read_at", UTCDateTime, nullable=True),
    sa.Column("acknowledged_at", UTCDateTime, nullable=True),
    sa.Index("ix_notification_inbox", "unit_id", "acknowledged_at"),
)

consent = sa.Table(
    "consent",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("written", sa.Boolean, nullable=False),
    sa.Column("warning_shown", sa.Text, nullable=False),
    sa.Column("granted_on", sa.Date, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Domain events for later parts to subscribe to (ING-7: a withdrawal revokes what rests on it).
domain_event = sa.Table(
    "domain_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
)
