"""outbox: event digests, purge marks, consumer cursors

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("domain_event") as batch:
        batch.add_column(sa.Column("payload_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_domain_event_object", ["object_type", "object_id"])
    op.create_table(
        "outbox_cursor",
        sa.Column("consumer", sa.String(length=80), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_outbox_cursor")),
    )


def downgrade() -> None:
    op.drop_table("outbox_cursor")
    with op.batch_alter_table("domain_event") as batch:
        batch.drop_index("ix_domain_event_object")
        batch.drop_column("purged_at")
        batch.drop_column("payload_digest")
