"""self_declaration: catalog items meant for subjects' own declarations, and the
performance of credit pledges

Issue 10, part 8 (ING-6, Art 15). A catalog item says which kind of declaration subjects
make against it (`declaration_kind`: declaration, voluntary_registration or credit_pledge;
NULL for every existing item: not meant for subjects). A credit pledge's performance is a
lifecycle (pending -> kept | broken) in `pledge`, every move kept in `pledge_move`.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    # A plain ADD COLUMN, which SQLite does in place: a batch copy of the table would trip
    # the foreign keys of the records that name it (as in 0016).
    op.add_column("catalog_item", sa.Column("declaration_kind", sa.String(30), nullable=True))
    op.create_table(
        "pledge",
        sa.Column("record_id", ID, sa.ForeignKey("record.id"), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", AT, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("created_at", AT, nullable=False),
    )
    op.create_table(
        "pledge_move",
        sa.Column("id", ID, primary_key=True),
        sa.Column("record_id", ID, sa.ForeignKey("record.id"), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("unit_id", ID, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", AT, nullable=False),
    )
    op.create_index("ix_pledge_move_record_id", "pledge_move", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_pledge_move_record_id", table_name="pledge_move")
    op.drop_table("pledge_move")
    op.drop_table("pledge")
    op.drop_column("catalog_item", "declaration_kind")
