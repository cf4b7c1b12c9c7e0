"""measure_feedback: the measures implementing units report they applied

Issue 11, part 5 (MEA-4, Op(12), Op(13)): which measure, to which subject, because of
which entry or record, returned by which check (the query register's row), on which day,
in which case file; the platform marks typical cases. Counts by measure, field, unit and
period are read from here.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-24 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "measure_feedback",
        sa.Column("id", ID, primary_key=True),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
        sa.Column("measure_code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("entry_id", ID, nullable=True),
        sa.Column("record_id", ID, nullable=True),
        sa.Column("check_id", ID, nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("applied_on", sa.Date, nullable=False),
        sa.Column("case_file", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("typical", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("typical_note", sa.Text, nullable=True),
        sa.Column("typical_by", sa.String(120), nullable=True),
        sa.Column("typical_at", AT, nullable=True),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.UniqueConstraint("unit_id", "subject_id", "measure_code", "case_file"),
    )
    op.create_index("ix_measure_feedback_subject_id", "measure_feedback", ["subject_id"])
    op.create_index("ix_measure_feedback_entry_id", "measure_feedback", ["entry_id"])
    op.create_index("ix_measure_feedback_stats", "measure_feedback", ["applied_on", "measure_code"])


def downgrade() -> None:
    op.drop_table("measure_feedback")
