"""red list feedback: reports that a red-listed subject is not trustworthy, with evidence

Issue 10, part 5 (OBJ-4, Op(21)). New tables only: red_list_feedback (one lifecycle:
received -> confirmed | dismissed | closed) and its evidence files.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RECEIVED_SQL = "status = 'received'"


def upgrade() -> None:
    op.create_table(
        "red_list_feedback",
        sa.Column("id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("designating_unit_id", ID, nullable=False),
        sa.Column("reporter_kind", sa.String(20), nullable=False),
        sa.Column("reporter_key", sa.String(60), nullable=False),
        sa.Column("reporter_unit_id", ID, nullable=True),
        sa.Column("reporter_account_id", ID, nullable=True),
        sa.Column("reporter_subject_id", ID, nullable=True),
        sa.Column("reporter_label", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_red_list_feedback_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["designating_unit_id"],
            ["unit.id"],
            name=op.f("fk_red_list_feedback_designating_unit_id_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_unit_id"],
            ["unit.id"],
            name=op.f("fk_red_list_feedback_reporter_unit_id_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_account_id"],
            ["public_account.id"],
            name=op.f("fk_red_list_feedback_reporter_account_id_public_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_list_feedback")),
    )
    op.create_index(op.f("ix_red_list_feedback_subject_id"), "red_list_feedback", ["subject_id"])
    op.create_index("ix_red_list_feedback_entry", "red_list_feedback", ["entry_id", "status"])
    op.create_index(
        "uq_red_list_feedback_open",
        "red_list_feedback",
        ["entry_id", "reporter_key"],
        unique=True,
        sqlite_where=sa.text(RECEIVED_SQL),
        postgresql_where=sa.text(RECEIVED_SQL),
    )
    op.create_table(
        "red_list_feedback_attachment",
        sa.Column("id", ID, nullable=False),
        sa.Column("feedback_id", ID, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["red_list_feedback.id"],
            name=op.f("fk_red_list_feedback_attachment_feedback_id_red_list_feedback"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_list_feedback_attachment")),
    )
    op.create_index(
        op.f("ix_red_list_feedback_attachment_feedback_id"),
        "red_list_feedback_attachment",
        ["feedback_id"],
    )


def downgrade() -> None:
    op.drop_table("red_list_feedback_attachment")
    op.drop_table("red_list_feedback")
