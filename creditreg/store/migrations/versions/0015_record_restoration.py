"""record restoration: a subject's application to restore an untrustworthy record

Issue 10, part 7 (RST-7, Art 43): the application with its deadline and decision, and the
day a record was restored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("record", sa.Column("restored_at", sa.DateTime(timezone=True)))
    op.create_table(
        "record_restoration",
        sa.Column("id", ID, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("decider", sa.String(20), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("applied_by", sa.String(120), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_record_restoration_record_id_record")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_record_restoration_subject_id_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_restoration")),
    )
    op.create_index(op.f("ix_record_restoration_record_id"), "record_restoration", ["record_id"])
    op.create_index(op.f("ix_record_restoration_subject_id"), "record_restoration", ["subject_id"])


def downgrade() -> None:
    op.drop_table("record_restoration")
    op.drop_column("record", "restored_at")
