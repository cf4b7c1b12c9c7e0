"""The credit reports issued (RIG-2, Art 40): one row per report, with the canonical JSON
that was signed, its digest and its signature, so that a presented report can be checked
against what the platform issued. Rows are never changed."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

credit_report = sa.Table(
    "credit_report",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # full / specialised
    # Art 40: counted per calendar year (China Standard Time) and per kind.
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("free", sa.Boolean, nullable=False),
    sa.Column("fee_fen", sa.Integer, nullable=False),
    sa.Column("period_from", sa.Date, nullable=True),
    sa.Column("period_to", sa.Date, nullable=True),
    sa.Column("content", sa.Text, nullable=False),  # the canonical JSON that was signed
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(120), nullable=False),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("issued_by", sa.String(120), nullable=False),
    sa.Index("ix_credit_report_subject_year", "subject_id", "kind", "year"),
)
