"""corrections: corrections of errors and compensation claims

Issue 10, part 6 (OBJ-5; Op(23), Art 66). A `correction` keeps what was corrected (an
entry deleted in error, a record withdrawn or returned), the apology delivered to the
subject, the reputation-restoring notice as published (channels, from, until) and the
incentives to reclaim; `compensation_claim` is a lifecycle (claimed -> granted | refused,
granted -> paid), every move kept in `compensation_claim_move`.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-24 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", ID, primary_key=True),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("list_type", sa.String(20), nullable=True),
        sa.Column("standard_code", sa.String(40), nullable=True),
        sa.Column("matter", sa.String(300), nullable=False),
        sa.Column("done", sa.String(20), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("objection_id", ID, sa.ForeignKey("objection.id"), nullable=True),
        sa.Column("apology_notice_id", ID, sa.ForeignKey("subject_notice.id"), nullable=True),
        sa.Column("public_channels", sa.JSON, nullable=False),
        sa.Column("public_name", sa.String(200), nullable=True),
        sa.Column("public_from", sa.Date, nullable=True),
        sa.Column("public_until", sa.Date, nullable=True),
        sa.Column("reclaim", sa.JSON, nullable=False),
        sa.Column("corrected_on", sa.Date, nullable=False),
        sa.Column("made_by", sa.String(100), nullable=False),
        sa.Column("created_at", AT, nullable=False),
    )
    op.create_index("ix_correction_subject_id", "correction", ["subject_id"])
    op.create_index("ix_correction_unit_id", "correction", ["unit_id"])
    op.create_index("ix_correction_target", "correction", ["target_type", "target_id"])
    op.create_index("ix_correction_public", "correction", ["public_until"])
    op.create_table(
        "compensation_claim",
        sa.Column("id", ID, primary_key=True),
        sa.Column("correction_id", ID, sa.ForeignKey("correction.id"), nullable=False),
        sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("amount_claimed_fen", sa.BigInteger, nullable=False),
        sa.Column("grounds", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_on", sa.Date, nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("amount_granted_fen", sa.BigInteger, nullable=True),
        sa.Column("decision_reason", sa.Text, nullable=True),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("paid_on", sa.Date, nullable=True),
        sa.Column("payment_reference", sa.String(100), nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
    )
    for column in ("correction_id", "subject_id", "unit_id"):
        op.create_index(f"ix_compensation_claim_{column}", "compensation_claim", [column])
    op.create_table(
        "compensation_claim_move",
        sa.Column("id", ID, primary_key=True),
        sa.Column("claim_id", ID, sa.ForeignKey("compensation_claim.id"), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("at", AT, nullable=False),
    )
    op.create_index("ix_compensation_claim_move_claim_id", "compensation_claim_move", ["claim_id"])


def downgrade() -> None:
    op.drop_index("ix_compensation_claim_move_claim_id", table_name="compensation_claim_move")
    op.drop_table("compensation_claim_move")
    for column in ("correction_id", "subject_id", "unit_id"):
        op.drop_index(f"ix_compensation_claim_{column}", table_name="compensation_claim")
    op.drop_table("compensation_claim")
    for name in ("ix_correction_public", "ix_correction_target", "ix_correction_unit_id"):
        op.drop_index(name, table_name="correction")
    op.drop_index("ix_correction_subject_id", table_name="correction")
    op.drop_table("correction")
