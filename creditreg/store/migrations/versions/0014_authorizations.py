"""authorizations: a subject's written authorization of authorized inquiry, and its uses

Issue 10, part 3 (DIS-6, Art 22).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 12:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "authorization",
        sa.Column("id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("unit_id", ID, nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("document_ref", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("granted_by", sa.String(120), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(120), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_authorization_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_authorization_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization")),
    )
    op.create_index("ix_authorization_subject_unit", "authorization", ["subject_id", "unit_id"])
    op.create_table(
        "authorization_use",
        sa.Column("id", ID, nullable=False),
        sa.Column("authorization_id", ID, nullable=False),
        sa.Column("unit_id", ID, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("what", sa.String(60), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["authorization.id"],
            name=op.f("fk_authorization_use_authorization_id_authorization"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_authorization_use_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_use")),
    )
    op.create_index(
        "ix_authorization_use_authorization",
        "authorization_use",
        ["authorization_id", "id"],
    )


def downgrade() -> None:
    op.drop_table("authorization_use")
    op.drop_table("authorization")
