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
    # The sweep's overdue-verification step reads only records still awaiting verification.
    sa.Index("ix_record_awaiting", "status", "verify_due"),
    # ... and the archiving step only live records by the end of their display period.
    sa.Index("ix_record_display", "status", "display_until"),
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
