"""refusals: refused calls counted per caller, minute and code

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refusal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("caller", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_path", sa.String(length=200), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refusal")),
        sa.UniqueConstraint("caller", "minute", "code", name=op.f("uq_refusal_caller_minute_code")),
    )


def downgrade() -> None:
    op.drop_table("refusal")
