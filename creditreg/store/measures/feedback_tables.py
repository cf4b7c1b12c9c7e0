"""Feedback on measures applied (MEA-4, Op(12), Op(13)), in its own module beside the
catalog's tables."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

measure_feedback = sa.Table(
    "measure_feedback",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("measure_code", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # incentive / punishment
    # The fact it answers (an entry deleted in error is gone: no foreign key).
    sa.Column("entry_id", ID, nullable=True, index=True),
    sa.Column("record_id", ID, nullable=True),
    # The query register's row of the check that returned the measure.
    sa.Column("check_id", ID, nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("case_file", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    # Op(13): a typical case, marked by the platform (who, when, why).
    sa.Column("typical", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("typical_note", sa.Text, nullable=True),
    sa.Column("typical_by", sa.String(120), nullable=True),
    sa.Column("typical_at", UTCDateTime, nullable=True),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # One report of a measure per unit, subject and case file.
    sa.UniqueConstraint("unit_id", "subject_id", "measure_code", "case_file"),
    sa.Index("ix_measure_feedback_stats", "applied_on", "measure_code"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


# MEA-5, Op(20): which implementing units met an entry in force through a check (theirs,
# or a linked subject's), so that they are told to stop when it ends, however long after.
# Ids only; kept beyond the query register's two years (an entry may last five).
check_exposure = sa.Table(
    "check_exposure",
    metadata,
    sa.Column("entry_id", ID, primary_key=True),
    sa.Column("unit_id", ID, primary_key=True),
    sa.Column("first_at", UTCDateTime, nullable=False),
)
