"""webhooks: notices to implementing units, by inbox and by webhook

Issue 11, part 6 (MEA-5, LST-9). `unit_notice` keeps each notice told to a unit (a stop
notice when an entry it acted on ends, a designation in a field it subscribed to);
`webhook_endpoint` and `webhook_subscription` are what a unit registered;
`webhook_delivery` is a lifecycle (pending -> delivered | retrying -> dead, redelivered on
request), every move kept in `webhook_delivery_move`: the delivery log.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-24 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", ID, primary_key=True),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("disabled_at", AT, nullable=True),
    )
    op.create_index("ix_webhook_endpoint_unit_id", "webhook_endpoint", ["unit_id"])
    op.create_table(
        "webhook_subscription",
        sa.Column("id", ID, primary_key=True),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40), nullable=True),
        sa.Column("list_type", sa.String(20), nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_webhook_subscription_unit_id", "webhook_subscription", ["unit_id"])
    op.create_index(
        "ix_webhook_subscription_kind", "webhook_subscription", ["kind", "field", "list_type"]
    )
    op.create_table(
        "unit_notice",
        sa.Column("id", ID, primary_key=True),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", AT, nullable=False),
    )
    op.create_index("ix_unit_notice_unit", "unit_notice", ["unit_id", "id"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", ID, primary_key=True),
        sa.Column("notice_id", ID, sa.ForeignKey("unit_notice.id"), nullable=False),
        sa.Column("endpoint_id", ID, sa.ForeignKey("webhook_endpoint.id"), nullable=False),
        sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("window_from", AT, nullable=False),
        sa.Column("next_attempt_at", AT, nullable=True),
        sa.Column("last_attempt_at", AT, nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
    )
    op.create_index("ix_webhook_delivery_notice_id", "webhook_delivery", ["notice_id"])
    op.create_index("ix_webhook_delivery_unit_id", "webhook_delivery", ["unit_id"])
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["status", "next_attempt_at"])
    op.create_table(
        "webhook_delivery_move",
        sa.Column("id", ID, primary_key=True),
        sa.Column("delivery_id", ID, sa.ForeignKey("webhook_delivery.id"), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("at", AT, nullable=False),
    )
    op.create_index(
        "ix_webhook_delivery_move_delivery_id", "webhook_delivery_move", ["delivery_id"]
    )


def downgrade() -> None:
    op.drop_table("webhook_delivery_move")
    op.drop_table("webhook_delivery")
    op.drop_table("unit_notice")
    op.drop_table("webhook_subscription")
    op.drop_table("webhook_endpoint")
