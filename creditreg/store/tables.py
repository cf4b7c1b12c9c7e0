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
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("character", sa.String(20), nullable=False),
    sa.Column("disclosure", sa.String(30), nullable=False),
    sa.Column("decision_date", sa.Date, nullable=True),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("verify_due", sa.Date, nullable=False),
    sa.Column("verified_at", UTCDateTime, nullable=True, index=True),
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
    sa.Column("display_until", sa.Date, nullable=True),
    sa.Column("archived_at", UTCDateTime, nullable=True),
    sa.Column("archive_reason", sa.String(40), nullable=True),
    # The sweep's overdue-verification step reads only records still awaiting verification.
    sa.Index("ix_record_awaiting", "status", "verify_due"),
    # ... and the archiving step only live records by the end of their display period.
    sa.Index("ix_record_display", "status", "display_until"),
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


# --- lists (STD, LST, RST, DIS-4) -------------------------------------------------------

standard = sa.Table(
    "standard",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("list_type", sa.String(20), nullable=False),
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("region", sa.String(6), nullable=True),
    sa.Column("approval", sa.Text, nullable=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("procedure", sa.Text, nullable=False),
    sa.Column("rule", sa.JSON, nullable=False),
    sa.Column("validity_months", sa.Integer, nullable=False),
    sa.Column("window_days", sa.Integer, nullable=False),
    sa.Column("restorable", sa.Boolean, nullable=False),
    sa.Column("restoration_method", sa.Text, nullable=False),
    sa.Column("restoration_after_months", sa.Integer, nullable=False),
    sa.Column("scrutiny_months", sa.Integer, nullable=False),
    sa.Column("measures", sa.JSON, nullable=False),
    # "current" or "superseded" by a newer version of the same code (STD-1).
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("published_by", sa.String(100), nullable=False),
    sa.Column("published_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("code", "version"),
)

list_entry = sa.Table(
    "list_entry",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("list_type", sa.String(20), nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subject.id"), nullable=False),
    sa.Column("designating_unit_id", sa.Integer, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("standard_id", sa.Integer, sa.ForeignKey("standard.id"), nullable=True),
    sa.Column("standard_code", sa.String(40), nullable=True, index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("suspended_from", sa.String(20), nullable=True),
    # standard / key_scrutiny_conduct (LST-6) / after_removal (RST-3) / automatic (LST-5)
    sa.Column("origin", sa.String(30), nullable=False),
    # LST-7: basic information (with SUB-4 responsible persons) and grounds.
    sa.Column("subject_info", sa.JSON, nullable=False),
    sa.Column("facts", sa.Text, nullable=False),
    sa.Column("basis", sa.Text, nullable=False),
    sa.Column("rule_inputs", sa.JSON, nullable=False),
    sa.Column("measures", sa.JSON, nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
    # LST-8: validity and restoration terms set by the designating unit.
    sa.Column("validity_months", sa.Integer, nullable=False),
    sa.Column("restorable", sa.Boolean, nullable=False),
    sa.Column("restoration_method", sa.Text, nullable=False),
    sa.Column("restoration_after_months", sa.Integer, nullable=False),
    sa.Column("scrutiny_months", sa.Integer, nullable=False),
    sa.Column("window_due", sa.Date, nullable=True),
    sa.Column("preliminary_on", sa.Date, nullable=False),
    sa.Column("designated_on", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    sa.Column("removed_on", sa.Date, nullable=True),
    sa.Column("removal_reason", sa.String(30), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # The sweep finds what is due by these two (cost follows what is due).
    sa.Index("ix_list_entry_window", "status", "window_due"),
    sa.Index("ix_list_entry_expiry", "status", "valid_until"),
    sa.Index("ix_list_entry_subject", "subject_id", "list_type"),
    # One live entry per subject, list and field (LST: no double designation).
    sa.Index(
        "uq_list_entry_live",
        "list_type",
        "field",
        "subject_id",
        unique=True,
        sqlite_where=sa.text("status <> 'removed'"),
        postgresql_where=sa.text("status <> 'removed'"),
    ),
    # An entry deleted for error leaves its id in the audit chain: never give it again.
    sqlite_autoincrement=True,
)

# ING-7: which records an entry rests on, so a withdrawal finds its entries by index.
list_entry_record = sa.Table(
    "list_entry_record",
    metadata,
    sa.Column(
        "entry_id",
        sa.Integer,
        sa.ForeignKey("list_entry.id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("record_id", sa.Integer, sa.ForeignKey("record.id"), primary_key=True, index=True),
)

# LST-7: the history of an entry, appended, never overwritten.
list_entry_event = sa.Table(
    "list_entry_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("list_entry.id"), nullable=False, index=True),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("unit_id", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)

# Written notices, warnings and public announcements (Art 28, Op(11), Op(17), DIS-4).
list_notice = sa.Table(
    "list_notice",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("list_entry.id"), nullable=True, index=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("audience", sa.String(20), nullable=False),  # subject / public
    sa.Column("channel", sa.String(40), nullable=False),
    sa.Column("list_type", sa.String(20), nullable=False),
    sa.Column("subject_name", sa.String(200), nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("visible_until", sa.Date, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_list_notice_public", "audience", "visible_until"),
)

entry_objection = sa.Table(
    "entry_objection",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("list_entry.id"), nullable=False, index=True),
    sa.Column("objector", sa.String(200), nullable=False),
    sa.Column("grounds", sa.Text, nullable=False),
    sa.Column("materials", sa.JSON, nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("outcome", sa.Text, nullable=True),
    sa.Column("resolved_on", sa.Date, nullable=True),
    sa.Column("resolved_by", sa.String(100), nullable=True),
)

restoration_application = sa.Table(
    "restoration_application",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("list_entry.id"), nullable=False, index=True),
    sa.Column("applicant", sa.String(200), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)

# LST-9, Op(10): the report to the upper-level platform, due 10 working days after
# designation. The transport comes later; the queue and its deadline are kept now.
upward_report = sa.Table(
    "upward_report",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("list_entry.id"), nullable=False, unique=True),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("queued_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Index("ix_upward_report_due", "status", "due_date"),
)

# LST-5: subjects whose key-scrutiny entries changed, for the big-data warning sweep.
list_recheck = sa.Table(
    "list_recheck",
    metadata,
    sa.Column("subject_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("queued_at", UTCDateTime, nullable=False),
)

# Watermarks of the sweep's incremental steps (LST-6 reads records verified since the last).
sweep_state = sa.Table(
    "sweep_state",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(100), nullable=False),
)
