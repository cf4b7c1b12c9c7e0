"""check_exposure: the implementing units a check showed an entry in force

Issue 11, part 6 (MEA-5, Op(20)): stop notices go to every unit that checked the subject
while the entry was in force, also after the query register's two-year retention removed
the check's row (a blacklist entry may last longer). Filled from the register's checks
already made.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-24 18:40:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "check_exposure",
        sa.Column("entry_id", ID, primary_key=True),
        sa.Column("unit_id", ID, primary_key=True),
        sa.Column("first_at", AT, nullable=False),
    )
    conn = op.get_bind()
    register = sa.table(
        "query_register",
        sa.column("unit_id", ID),
        sa.column("what", sa.String),
        sa.column("returned", sa.JSON),
        sa.column("at", AT),
    )
    seen: dict[tuple[int, int], object] = {}
    for r in conn.execute(
        sa.select(register.c.unit_id, register.c.returned, register.c.at)
        .where(register.c.what.in_(("check", "check.linked")), register.c.unit_id.is_not(None))
        .order_by(register.c.at)
    ):
        returned = r.returned if isinstance(r.returned, dict) else json.loads(r.returned or "{}")
        for entry_id in [*returned.get("entries", []), *returned.get("linked_entries", [])]:
            seen.setdefault((int(entry_id), int(r.unit_id)), r.at)
    if seen:
        exposure = sa.table(
            "check_exposure",
            sa.column("entry_id", ID),
            sa.column("unit_id", ID),
            sa.column("first_at", AT),
        )
        conn.execute(
            exposure.insert(),
            [{"entry_id": e, "unit_id": u, "first_at": at} for (e, u), at in seen.items()],
        )


def downgrade() -> None:
    op.drop_table("check_exposure")
