"""The records context's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

catalog_item = sa.Table(
    "catalog_item",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("content_class", sa.String(40), nullable=False),
    sa.Column("info_kind", sa.String(30), nullable=False),
    sa.Column("providing_unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
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
    # Issue 10: the field (creditreg.domain.fields) the item's records belong to, from its
    # providing unit's scope; specialised credit reports go field by field.
    sa.Column("field", sa.String(40), nullable=False, server_default="other"),
    # ING-6, Art 15: the kind of declaration subjects make against the item (declaration,
    # voluntary_registration, credit_pledge); NULL: not meant for subjects.
    sa.Column("declaration_kind", sa.String(30), nullable=True),
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
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("catalog_item_id", ID, sa.ForeignKey("catalog_item.id"), nullable=False),
    sa.Column("batch_key", sa.String(100), nullable=True),
    sa.Column("content_digest", sa.String(64), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("filename", sa.String(255), nullable=True),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    # Issue 9: staged chunk by chunk, then published (domain.records.lifecycle.BATCH). A
    # staging batch's heartbeat says it is still being stored; the sweep discards one whose
    # heartbeat stopped (a crashed ingest).
    sa.Column("status", sa.String(20), nullable=False, server_default="published"),
    sa.Column("heartbeat_at", UTCDateTime, nullable=True),
    sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("verify_due", sa.Date, nullable=True),
    # ING-3: the same batch twice stores nothing new, by its id or by its content.
    sa.UniqueConstraint("unit_id", "batch_key"),
    sa.UniqueConstraint("unit_id", "catalog_item_id", "content_digest"),
)


record = sa.Table(
    "record",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("catalog_item_id", ID, sa.ForeignKey("catalog_item.id"), nullable=False),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("providing_unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("batch_id", ID, sa.ForeignKey("ingest_batch.id"), nullable=True, index=True),
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
    # RST-7, Art 43: restored on the subject's application (rights.record_restoration).
    sa.Column("restored_at", UTCDateTime, nullable=True),
    # Issue 9, ING-3: the natural key (Template.natural_key) while the record is live;
    # released (NULL) when it is returned or withdrawn, so that a corrected resubmission
    # is a new record. A duplicate found when the key was introduced keeps NULL and names
    # the record it repeats.
    sa.Column("natural_key", sa.String(32), nullable=True),
    sa.Column("duplicate_of", ID, nullable=True),
    # The sweep's overdue-verification step reads only records still awaiting verification.
    sa.Index("ix_record_awaiting", "status", "verify_due"),
    # ... and the archiving step only live records by the end of their display period.
    sa.Index("ix_record_display", "status", "display_until"),
    # A unique index (not a constraint): SQLite adds one to a table holding data in place.
    sa.Index("uq_record_natural_key", "natural_key", unique=True),
)


consent = sa.Table(
    "consent",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("written", sa.Boolean, nullable=False),
    sa.Column("warning_shown", sa.Text, nullable=False),
    sa.Column("granted_on", sa.Date, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


# Issue 9: a batch's rows while it is being stored, chunk by chunk, each chunk its own
# short transaction. No reader ever reads these tables: the publish step copies a batch's
# rows into `record` (and its new subjects into `subject`) in one transaction, and the
# staging rows are deleted after it (or by the sweep, after a crash).
record_stage = sa.Table(
    "record_stage",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("batch_id", ID, sa.ForeignKey("ingest_batch.id"), nullable=False),
    sa.Column("row_number", sa.Integer, nullable=False),
    # The subject, when registered before the batch; else its identifier (subject_stage).
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=True),
    sa.Column("id_type", sa.String(40), nullable=False),
    sa.Column("id_number", sa.String(40), nullable=False),
    sa.Column("natural_key", sa.String(32), nullable=False),
    sa.Column("catalog_item_id", ID, nullable=False),
    sa.Column("providing_unit_id", ID, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("self_declared", sa.Boolean, nullable=False),
    sa.Column("character", sa.String(20), nullable=False),
    sa.Column("disclosure", sa.String(30), nullable=False),
    sa.Column("decision_date", sa.Date, nullable=True),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("verify_due", sa.Date, nullable=False),
    sa.Column("untrustworthy_class", sa.String(20), nullable=True),
    sa.Column("serious_class", sa.String(20), nullable=True),
    sa.Column("severity", sa.String(20), nullable=True),
    sa.Column("final_on", sa.Date, nullable=True),
    sa.Column("discipline_block", sa.Text, nullable=True),
    sa.Column("display_until", sa.Date, nullable=True),
    # A row repeated inside one batch is a duplicate, found through this. The key leads:
    # PostgreSQL, with statistics from when the table was empty, otherwise reads every
    # row of the batch for each chunk's lookup (measured: quadratic).
    sa.UniqueConstraint("natural_key", "batch_id"),
)

# The subjects a staging batch will create: registered at publish unless someone
# registered the same identifier first (then the batch's records are matched to that one).
subject_stage = sa.Table(
    "subject_stage",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("batch_id", ID, sa.ForeignKey("ingest_batch.id"), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("id_type", sa.String(40), nullable=False),
    sa.Column("id_number", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.UniqueConstraint("id_number", "id_type", "batch_id"),
)


# ING-6 (issue 10, part 8): a credit pledge's performance (domain.records.declarations.
# PLEDGE), one row a pledge record, opened when its batch publishes; every move is kept.
pledge = sa.Table(
    "pledge",
    metadata,
    sa.Column("record_id", ID, sa.ForeignKey("record.id"), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("decided_at", UTCDateTime, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

pledge_move = sa.Table(
    "pledge_move",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("record_id", ID, sa.ForeignKey("record.id"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20), nullable=False),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("unit_id", ID, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)
