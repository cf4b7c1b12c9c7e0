"""memorandum_published: a published memorandum waiting for its date has its own status

Issue 11 (MEA-2; design rule 1, "facts are stored, not inferred"): a memorandum published
before its effective date was kept as `draft` with `published_at` set, its state inferred
from two columns. It is now `published` (draft -> published -> in_force); the rows already
in that state move, with a history row each.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-24 19:15:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    conn = op.get_bind()
    memorandum = sa.table(
        "memorandum",
        sa.column("id", ID),
        sa.column("status", sa.String),
        sa.column("published_at", AT),
    )
    move = sa.table(
        "memorandum_move",
        sa.column("memorandum_id", ID),
        sa.column("from_status", sa.String),
        sa.column("to_status", sa.String),
        sa.column("action", sa.String),
        sa.column("actor", sa.String),
        sa.column("note", sa.Text),
        sa.column("at", AT),
    )
    waiting = conn.execute(
        sa.select(memorandum.c.id, memorandum.c.published_at).where(
            memorandum.c.status == "draft", memorandum.c.published_at.is_not(None)
        )
    ).all()
    for row in waiting:
        conn.execute(
            memorandum.update().where(memorandum.c.id == row.id).values(status="published")
        )
        conn.execute(
            move.insert().values(
                memorandum_id=row.id,
                from_status="draft",
                to_status="published",
                action="publish",
                actor="migration:0028",
                note="published before this status existed",
                # The move happened when it was published; that time is stored.
                at=row.published_at or datetime(1970, 1, 1, tzinfo=UTC),
            )
        )


def downgrade() -> None:
    op.execute("UPDATE memorandum SET status = 'draft' WHERE status = 'published'")
