"""The objections' tables (SQLAlchemy Core): public accounts, objections with their
history, pauses and attachments, and reconsiderations (OBJ-1..3, OBJ-6; Art 41)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

# OBJ-1, OBJ-4: a person who is neither a unit nor (yet) a subject account objects under a
# name and an identity document number, validated and marked unverified. The number is
# kept masked and as a keyed digest (HMAC under a key outside the database), never clear.
public_account = sa.Table(
    "public_account",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("id_type", sa.String(40), nullable=False),
    sa.Column("id_number_masked", sa.String(40), nullable=False),
    sa.Column("id_number_digest", sa.String(64), nullable=False, unique=True),
    sa.Column("verified", sa.Boolean, nullable=False),
    # SHA-256 of the account's bearer token (256 random bits: a fast hash is enough).
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


# OPEN statuses, for the partial unique index below (domain/rights/objections.py OPEN).
_OPEN_SQL = "status IN ('received', 'accepted', 'verifying', 'answered')"

objection = sa.Table(
    "objection",
    metadata,
    sa.Column("id", ID, primary_key=True),
    # record / list_entry, and its id: no foreign key, since an entry deleted in error
    # takes its objections with it (Op(20)) and a record is never deleted.
    sa.Column("target_type", sa.String(20), nullable=False),
    sa.Column("target_id", ID, nullable=False),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    # Who objected (never anonymous) and who decides: the platform for a record (Art 41),
    # the designating unit for an entry (Op(22)); the provider verifies a record.
    sa.Column("objector_kind", sa.String(20), nullable=False),
    sa.Column("objector_key", sa.String(60), nullable=False),
    sa.Column("objector_unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("objector_account_id", ID, sa.ForeignKey("public_account.id"), nullable=True),
    sa.Column("objector_subject_id", ID, nullable=True),
    sa.Column("objector_label", sa.String(200), nullable=False),
    sa.Column("deciding_unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("provider_unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("grounds", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("track", sa.String(20), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    # The Art 41 deadline's due date (a copy of the stored deadline's, to find the late
    # by index), and the provider's answer deadline once asked.
    sa.Column("due_date", sa.Date, nullable=True),
    sa.Column("asked_on", sa.Date, nullable=True),
    sa.Column("answer_due", sa.Date, nullable=True),
    sa.Column("answer", sa.Text, nullable=True),
    sa.Column("paused_since", sa.Date, nullable=True),
    sa.Column("accepted_on", sa.Date, nullable=True),
    sa.Column("acceptance_reason", sa.Text, nullable=True),
    sa.Column("outcome_reason", sa.Text, nullable=True),
    sa.Column("correction", sa.String(20), nullable=True),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_objection_target", "target_type", "target_id", "status"),
    sa.Index("ix_objection_due", "status", "due_date"),
    # One open objection per item and objector: a second is refused even when two race.
    sa.Index(
        "uq_objection_open",
        "target_type",
        "target_id",
        "objector_key",
        unique=True,
        sqlite_where=sa.text(_OPEN_SQL),
        postgresql_where=sa.text(_OPEN_SQL),
    ),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


# Design rule 1: each step of an objection, appended, never overwritten.
objection_event = sa.Table(
    "objection_event",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("objection_id", ID, sa.ForeignKey("objection.id"), nullable=False, index=True),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)


# Art 41: inspection, testing, quarantine, evaluation or expert review: recorded spans.
objection_pause = sa.Table(
    "objection_pause",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("objection_id", ID, sa.ForeignKey("objection.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("end_on", sa.Date, nullable=True),
    sa.Column("started_by", sa.String(100), nullable=False),
    sa.Column("ended_by", sa.String(100), nullable=True),
)


# The materials, as rows in the objection's transaction: a rollback leaves no orphan file.
objection_attachment = sa.Table(
    "objection_attachment",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("objection_id", ID, sa.ForeignKey("objection.id"), nullable=False, index=True),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(40), nullable=False),  # detected, never declared
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


# OBJ-3, Op(22): an objector still dissatisfied applies to the provincial department.
reconsideration = sa.Table(
    "reconsideration",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("objection_id", ID, sa.ForeignKey("objection.id"), nullable=False, index=True),
    sa.Column("department_unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("grounds", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("outcome_reason", sa.Text, nullable=True),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_reconsideration_due", "status", "due_date"),
    # One reconsideration per objection (the decision is final on the platform).
    sa.UniqueConstraint("objection_id"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


# OBJ-4, Op(21): reports that a red-listed subject is not trustworthy, with evidence,
# verified by the entry's designating unit. The reporter is one of the objectors' kinds
# (never anonymous). No foreign key to the entry: an entry deleted in error takes its
# reports with it (Op(20)).
_RECEIVED_SQL = "status = 'received'"

red_list_feedback = sa.Table(
    "red_list_feedback",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, nullable=False),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("designating_unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("reporter_kind", sa.String(20), nullable=False),
    sa.Column("reporter_key", sa.String(60), nullable=False),
    sa.Column("reporter_unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
    sa.Column("reporter_account_id", ID, sa.ForeignKey("public_account.id"), nullable=True),
    sa.Column("reporter_subject_id", ID, nullable=True),
    sa.Column("reporter_label", sa.String(200), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("outcome_reason", sa.Text, nullable=True),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_red_list_feedback_entry", "entry_id", "status"),
    # One open report per entry and reporter: a second is refused even when two race.
    sa.Index(
        "uq_red_list_feedback_open",
        "entry_id",
        "reporter_key",
        unique=True,
        sqlite_where=sa.text(_RECEIVED_SQL),
        postgresql_where=sa.text(_RECEIVED_SQL),
    ),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)

# The evidence's files, as rows in the report's transaction (as objections' attachments).
red_list_feedback_attachment = sa.Table(
    "red_list_feedback_attachment",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("feedback_id", ID, sa.ForeignKey("red_list_feedback.id"), nullable=False, index=True),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(40), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
