"""The lists context's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

standard = sa.Table(
    "standard",
    metadata,
    sa.Column("id", ID, primary_key=True),
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
    # MEA-6, Art 31: general, serious or especially_serious; the measures may not need more.
    sa.Column("severity", sa.String(20), nullable=False, server_default="general"),
    # "current" or "superseded" by a newer version of the same code (STD-1).
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("published_by", sa.String(100), nullable=False),
    sa.Column("published_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("code", "version"),
)


list_entry = sa.Table(
    "list_entry",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("list_type", sa.String(20), nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
    sa.Column("designating_unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("standard_id", ID, sa.ForeignKey("standard.id"), nullable=True),
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
    # MEA-6: copied from the standard at designation (the check filters measures by it).
    sa.Column("severity", sa.String(20), nullable=False, server_default="general"),
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
        ID,
        sa.ForeignKey("list_entry.id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("record_id", ID, sa.ForeignKey("record.id"), primary_key=True, index=True),
)


# LST-7: the history of an entry, appended, never overwritten.
list_entry_event = sa.Table(
    "list_entry_event",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, sa.ForeignKey("list_entry.id"), nullable=False, index=True),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("unit_id", ID, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)


# Written notices, warnings and public announcements (Art 28, Op(11), Op(17), DIS-4).
list_notice = sa.Table(
    "list_notice",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, sa.ForeignKey("list_entry.id"), nullable=True, index=True),
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
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


restoration_application = sa.Table(
    "restoration_application",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, sa.ForeignKey("list_entry.id"), nullable=False, index=True),
    sa.Column("applicant", sa.String(200), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


# LST-9, Op(10): the report to the upper-level platform, due 10 working days after
# designation. The transport comes later; the queue and its deadline are kept now.
upward_report = sa.Table(
    "upward_report",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, sa.ForeignKey("list_entry.id"), nullable=False, unique=True),
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
    sa.Column("subject_id", ID, primary_key=True, autoincrement=False),
    sa.Column("queued_at", UTCDateTime, nullable=False),
)


# SUB-4, Art 35: the responsible persons an entry names, by their identifiers, so that a
# person's check finds the organizations' entries that name it, registered subject or not.
# Written with the entry (store/lists/queries.insert_entry); erased with it (Op(20)).
list_entry_person = sa.Table(
    "list_entry_person",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, sa.ForeignKey("list_entry.id"), nullable=False, index=True),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("id_type", sa.String(40), nullable=False),
    sa.Column("id_number", sa.String(40), nullable=False),
    sa.Index("ix_list_entry_person_number", "id_type", "id_number"),
)
